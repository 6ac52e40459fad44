import type { MonthSpan } from '../../config/load.js';
import { parseMonth } from '../../config/months.js';
import { ALL_PAIRS } from '../../config/pairs.js';

/** What `bqx-monitor seed` generates, and the month spans a run over it plans. */
export interface SeedPlan {
  readonly preset: string;
  readonly pairs: readonly string[];
  /** Months that get bars. */
  readonly data: MonthSpan;
  /** Track month spans recorded for runs (may include months without data: "no data" units). */
  readonly bollinger: MonthSpan;
  readonly regression: MonthSpan;
  readonly seed: number;
}

const m = (s: string) => parseMonth(s)!;

/** `demo`: small and quick; `seed`: the seed report's full scale (28 pairs, Jul 2024–Jun 2025). */
export const PRESETS = {
  demo: {
    preset: 'demo',
    pairs: ['eurusd', 'gbpusd', 'usdjpy'],
    data: { from: m('2024-07'), to: m('2024-09') },
    // One month past the data, like the seed's future months: planned, ends "no data".
    bollinger: { from: m('2024-07'), to: m('2024-10') },
    regression: { from: m('2024-07'), to: m('2024-09') },
    seed: 42,
  },
  seed: {
    preset: 'seed',
    pairs: ALL_PAIRS,
    data: { from: m('2024-07'), to: m('2025-06') },
    bollinger: { from: m('2024-01'), to: m('2025-12') },
    regression: { from: m('2024-07'), to: m('2025-06') },
    seed: 42,
  },
} as const satisfies Record<string, SeedPlan>;

export type PresetName = keyof typeof PRESETS;
