import type { Month } from '../../config/months.js';
import type { UnitOutcome } from '../../db/ledger/results.js';
import { commitMonthUnit } from '../io/commitMonthUnit.js';
import { unitQuality, warnOverflow } from '../io/quality.js';
import { monthPart } from '../io/series.js';
import { monthUnitKey, reportEmpty, reportFailure, type UnitContext } from '../io/unitContext.js';
import { readFingerprinted } from '../freshness/readFingerprinted.js';
import { computeBollinger } from '../kernels/bollinger.js';
import { OverflowCounts } from '../kernels/overflow.js';
import { loadBollingerInput } from './loadInput.js';

/**
 * Track 1, one pair × month: read the BQX input with look-back, compute the 22 Bollinger
 * columns, replace the month partition of `bollinger_bqx_{pair}` in one transaction.
 * Values that overflow are counted (a warning, the outcome's details).
 */
export async function runBollingerUnit(
  ctx: UnitContext,
  pair: string,
  month: Month,
): Promise<UnitOutcome> {
  const unit = monthUnitKey(pair, month);
  const now = ctx.now ?? performance.now.bind(performance);
  const t0 = now();
  ctx.emit({ type: 'unit_start', unit, attempt: ctx.attempt });
  try {
    ctx.emit({ type: 'stage', unit, stage: 'load' });
    const { value: input, fingerprint } = await readFingerprinted(ctx, 'bollinger', unit, (c) =>
      loadBollingerInput(c, ctx.settings, pair, month),
    );
    const rows = input.times.length - input.lookback;
    if (rows === 0) return await reportEmpty(ctx, 'bollinger', unit, now() - t0, fingerprint);
    const t1 = now();
    ctx.emit({ type: 'stage', unit, stage: 'compute', rows, detail: 'bollinger 20/30/60/120' });
    const overflow = new OverflowCounts(input.lookback);
    const all = computeBollinger(input.values[0]!, overflow);
    warnOverflow(ctx.emit, unit, overflow);
    const columns = new Map([...all].map(([k, v]) => [k, monthPart(v, input.lookback)]));
    const times = monthPart(input.times, input.lookback);
    return await commitMonthUnit(
      ctx,
      'bollinger',
      unit,
      rows,
      [{ key: 'bollinger_bqx', pair, month, times, columns }],
      { start: t0, loaded: t1, computed: now() },
      unitQuality({ overflow: overflow.toRecord() }),
      fingerprint,
    );
  } catch (err) {
    return reportFailure(ctx, 'bollinger', unit, err, now() - t0);
  }
}
