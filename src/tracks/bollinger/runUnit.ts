import type { Month } from '../../config/months.js';
import type { UnitOutcome } from '../../db/ledger/results.js';
import { commitMonthUnit } from '../io/commitMonthUnit.js';
import { unitQuality, warnOverflow } from '../io/quality.js';
import { monthPart } from '../io/series.js';
import { monthUnitKey, type UnitContext } from '../io/unitContext.js';
import { emptyUnit, runUnitShell } from '../io/unitShell.js';
import { readFingerprinted } from '../freshness/readFingerprinted.js';
import { BollingerRows } from '../kernels/bollinger.js';
import { OverflowCounts } from '../kernels/overflow.js';
import { loadBollingerInput } from './loadInput.js';

/**
 * Track 1, one pair × month: read the BQX input with look-back (in one snapshot), compute
 * the 22 Bollinger columns while they stream into the month partition of
 * `bollinger_bqx_{pair}`, replaced in one transaction. Values that overflow are counted
 * (a warning, the outcome's details).
 */
export function runBollingerUnit(
  ctx: UnitContext,
  pair: string,
  month: Month,
): Promise<UnitOutcome> {
  return runUnitShell(ctx, 'bollinger', monthUnitKey(pair, month), async (scope) => {
    scope.emit({ type: 'stage', stage: 'load' });
    const { value: input, fingerprint } = await readFingerprinted(
      ctx,
      'bollinger',
      scope.unit,
      (c) => loadBollingerInput(c, ctx.settings, pair, month),
    );
    const rows = input.times.length - input.lookback;
    if (rows === 0) return emptyUnit({ fingerprint });
    const loaded = scope.now();
    const overflow = new OverflowCounts(input.lookback);
    // Computed a chunk of rows at a time as the write asks for them: the server takes in
    // the rows before while the next are computed (the two cores work at once).
    const bands = new BollingerRows(input.values[0]!, overflow);
    let computeMs = 0;
    const fill = (n: number) => {
      const t = scope.now();
      bands.computeUntil(input.lookback + n);
      computeMs += scope.now() - t;
    };
    const columns = new Map([...bands.columns].map(([k, v]) => [k, monthPart(v, input.lookback)]));
    const times = monthPart(input.times, input.lookback);
    return commitMonthUnit(scope, {
      rows,
      detail: 'bollinger 20/30/60/120, computed as written',
      writes: [{ key: 'bollinger_bqx', pair, month, times, columns, fill }],
      loaded,
      computed: {
        computeMs: () => computeMs,
        quality: () => {
          warnOverflow(ctx.emit, scope.unit, overflow);
          return unitQuality({ overflow: overflow.toRecord() });
        },
      },
      recorded: { fingerprint },
    });
  });
}
