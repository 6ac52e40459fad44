import { parseMonth } from '../../src/config/months.js';
import type { SeedPlan } from '../../src/tracks/seed/presets.js';

const m = (s: string) => parseMonth(s)!;

/** The dataset every test database starts from: two pairs, two months of bars. */
export const TEMPLATE_PLAN: SeedPlan = {
  preset: 'test',
  pairs: ['eurusd', 'usdjpy'],
  data: { from: m('2024-07'), to: m('2024-08') },
  bollinger: { from: m('2024-07'), to: m('2024-09') },
  regression: { from: m('2024-07'), to: m('2024-08') },
  seed: 7,
};
