import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { monthStartMs, nextMonth, parseMonth } from '../../../config/months.js';
import { PAIR_LEVELS, pipSize } from './levels.js';
import { isOpen, isTradingMinute, SESSIONS } from './sessions.js';

/** One pair's one-minute bars, columnar. `time` is epoch milliseconds (UTC, minute aligned). */
export interface M1Bars {
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** Tick volume (integer values). */
  readonly volume: Float64Array;
  readonly spread: Float64Array;
  /** Close indexed to 100 at the first bar of the generated range. */
  readonly rateIndex: Float64Array;
}

/** Options of the generator: same options, same bits. */
export interface M1Options {
  readonly pair: string;
  readonly from: string;
  readonly to: string;
  readonly seed: number;
}

const MINUTE = 60_000;
/** Per-minute return volatility at the long-run mean of the GARCH process (~8 %/year). */
const BASE_SIGMA = 1.3e-4;
const GARCH = { alpha: 0.06, beta: 0.92 } as const;

/** A 31-bit stream seed from the user's seed and the pair (FNV-1a), so pairs differ. */
function streamSeed(seed: number, pair: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const ch of `${pair}:${seed}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

/** Activity multiplier of a UTC minute: more sessions open → more volume and volatility. */
function activity(minuteOfDay: number): number {
  const open = SESSIONS.filter((s) => isOpen(s, minuteOfDay)).length;
  const overlap = minuteOfDay >= 12 * 60 && minuteOfDay < 16 * 60 ? 0.6 : 0;
  return 0.45 + 0.35 * open + overlap;
}

/** Bars of a pair from month `from` to month `to` (YYYY-MM, both included): its trading minutes. */
export function countBars(from: string, to: string): number {
  const a = parseMonth(from);
  const b = parseMonth(to);
  if (!a || !b) throw new Error(`bad months ${from}..${to}`);
  const end = monthStartMs(nextMonth(b));
  let n = 0;
  for (let t = monthStartMs(a); t < end; t += MINUTE) if (isTradingMinute(t)) n++;
  return n;
}

/**
 * Deterministic synthetic bars: a GARCH(1,1) log-price random walk (volatility
 * clustering) scaled by session activity, OHLC from intrabar excursions, tick volume
 * following activity and |return|, spread wider in the 21–23 UTC rollover. 24×5 trading.
 */
export function generateM1Bars(opts: M1Options): M1Bars {
  const level = PAIR_LEVELS[opts.pair];
  const from = parseMonth(opts.from);
  const to = parseMonth(opts.to);
  if (!level || !from || !to) throw new Error(`bad generator options ${JSON.stringify(opts)}`);
  const start = monthStartMs(from);
  const end = monthStartMs(nextMonth(to));
  const n = countBars(opts.from, opts.to);
  const cols = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    spread: new Float64Array(n),
    rateIndex: new Float64Array(n),
  };
  const rng = xoroshiro128plus(streamSeed(opts.seed, opts.pair));
  const u = () => uniformFloat64(rng);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const omega = BASE_SIGMA ** 2 * (1 - GARCH.alpha - GARCH.beta);
  let variance = BASE_SIGMA ** 2;
  let shock = 0;
  let price = level.price;
  const pip = pipSize(opts.pair);
  let i = 0;
  for (let t = start; t < end; t += MINUTE) {
    if (!isTradingMinute(t)) continue;
    const minuteOfDay = Math.floor((t % 86_400_000) / MINUTE);
    const act = activity(minuteOfDay);
    variance = omega + GARCH.alpha * shock * shock + GARCH.beta * variance;
    const sigma = Math.sqrt(variance) * act;
    shock = normal() * Math.sqrt(variance);
    const open = price;
    const close = open * Math.exp(shock * act);
    const hi = Math.max(open, close) * Math.exp(Math.abs(normal()) * sigma * 0.5);
    const lo = Math.min(open, close) * Math.exp(-Math.abs(normal()) * sigma * 0.5);
    const rollover = minuteOfDay >= 21 * 60 && minuteOfDay < 23 * 60 ? 3 : 1;
    cols.time[i] = t;
    cols.open[i] = open;
    cols.close[i] = close;
    cols.high[i] = hi;
    cols.low[i] = lo;
    cols.volume[i] = Math.max(
      1,
      Math.round(40 * act * (1 + Math.abs(shock) / BASE_SIGMA) * Math.exp(0.4 * normal())),
    );
    cols.spread[i] = pip * level.spreadPips * rollover * (1.6 - 0.35 * act + 0.25 * u());
    price = close;
    i++;
  }
  const first = cols.close[0] ?? 1;
  for (let k = 0; k < n; k++) cols.rateIndex[k] = (cols.close[k]! / first) * 100;
  return cols;
}
