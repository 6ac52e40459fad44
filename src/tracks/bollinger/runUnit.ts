import type { Month } from '../../config/months.js';
import type { UnitOutcome } from '../../db/ledger/results.js';
import { commitMonthUnit } from '../io/commitMonthUnit.js';
import { unitQuality, warnOverflow } from '../io/quality.js';
import { monthPart } from '../io/series.js';
import { monthUnitKey, type UnitContext } from '../io/unitContext.js';
import { emptyUnit, runUnitShell } from '../io/unitShell.js';
import { readFingerprinted } from '../freshness/readFingerprinted.js';
import { computeBollinger } from '../kernels/bollinger.js';
import { OverflowCounts } from '../kernels/overflow.js';
import { loadBollingerInput } from './loadInput.js';

/**
 * Track 1, one pair × month: read the BQX input with look-back (in one snapshot), compute
 * the 22 Bollinger columns, replace the month partition of `bollinger_bqx_{pair}` in one
 * transaction. Values that overflow are counted (a warning, the outcome's details).
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
    scope.emit({ type: 'stage', stage: 'compute', rows, detail: 'bollinger 20/30/60/120' });
    const overflow = new OverflowCounts(input.lookback);
    const all = computeBollinger(input.values[0]!, overflow);
    warnOverflow(ctx.emit, scope.unit, overflow);
    const columns = new Map([...all].map(([k, v]) => [k, monthPart(v, input.lookback)]));
    const times = monthPart(input.times, input.lookback);
    return commitMonthUnit(scope, {
      rows,
      writes: [{ key: 'bollinger_bqx', pair, month, times, columns }],
      loaded,
      computed: scope.now(),
      quality: unitQuality({ overflow: overflow.toRecord() }),
      recorded: { fingerprint },
    });
  });
}
