/** The 28 pairs of the 8 majors (docs/spec/SCHEMA.md), lower case as they appear in table names. */
export const ALL_PAIRS = [
  'audcad',
  'audchf',
  'audjpy',
  'audnzd',
  'audusd',
  'cadchf',
  'cadjpy',
  'chfjpy',
  'euraud',
  'eurcad',
  'eurchf',
  'eurgbp',
  'eurjpy',
  'eurnzd',
  'eurusd',
  'gbpaud',
  'gbpcad',
  'gbpchf',
  'gbpjpy',
  'gbpnzd',
  'gbpusd',
  'nzdcad',
  'nzdchf',
  'nzdjpy',
  'nzdusd',
  'usdcad',
  'usdchf',
  'usdjpy',
] as const;

const PAIR_SHAPE = /^[a-z]{6}$/;

/** True when `name` has the shape of a pair (six lower-case letters). */
export function isPairShaped(name: string): boolean {
  return PAIR_SHAPE.test(name);
}
