/** Starting mid price of each pair (mid-2024 levels) and its quoted spread in pips. */
export const PAIR_LEVELS: Readonly<Record<string, { price: number; spreadPips: number }>> = {
  audcad: { price: 0.91, spreadPips: 2.2 },
  audchf: { price: 0.59, spreadPips: 2.0 },
  audjpy: { price: 98.0, spreadPips: 1.8 },
  audnzd: { price: 1.09, spreadPips: 2.5 },
  audusd: { price: 0.66, spreadPips: 0.9 },
  cadchf: { price: 0.64, spreadPips: 2.3 },
  cadjpy: { price: 108.0, spreadPips: 2.0 },
  chfjpy: { price: 170.0, spreadPips: 2.4 },
  euraud: { price: 1.64, spreadPips: 1.9 },
  eurcad: { price: 1.49, spreadPips: 2.0 },
  eurchf: { price: 0.95, spreadPips: 1.5 },
  eurgbp: { price: 0.85, spreadPips: 1.1 },
  eurjpy: { price: 162.0, spreadPips: 1.4 },
  eurnzd: { price: 1.79, spreadPips: 2.8 },
  eurusd: { price: 1.08, spreadPips: 0.7 },
  gbpaud: { price: 1.93, spreadPips: 2.6 },
  gbpcad: { price: 1.75, spreadPips: 2.7 },
  gbpchf: { price: 1.12, spreadPips: 2.4 },
  gbpjpy: { price: 191.0, spreadPips: 2.1 },
  gbpnzd: { price: 2.1, spreadPips: 3.5 },
  gbpusd: { price: 1.27, spreadPips: 0.9 },
  nzdcad: { price: 0.83, spreadPips: 2.6 },
  nzdchf: { price: 0.54, spreadPips: 2.5 },
  nzdjpy: { price: 90.0, spreadPips: 2.2 },
  nzdusd: { price: 0.6, spreadPips: 1.2 },
  usdcad: { price: 1.37, spreadPips: 1.2 },
  usdchf: { price: 0.88, spreadPips: 1.1 },
  usdjpy: { price: 150.0, spreadPips: 0.9 },
};

/** Price of one pip: 0.01 for yen crosses, 0.0001 otherwise. */
export function pipSize(pair: string): number {
  return pair.endsWith('jpy') ? 0.01 : 0.0001;
}
