import type { Month } from '../../config/months.js';
import type { UnitOutcome } from '../../db/ledger/results.js';
import { commitMonthUnit } from '../io/commitMonthUnit.js';
import { unitQuality, warnOverflow } from '../io/quality.js';
import { monthPart } from '../io/series.js';
import { monthUnitKey, reportEmpty, reportFailure, type UnitContext } from '../io/unitContext.js';
import { readFingerprinted } from '../freshness/readFingerprinted.js';
import { OverflowCounts } from '../kernels/overflow.js';
import { computeRegression } from '../kernels/quadraticFit.js';
import { readRegressionInput } from './loadInput.js';

/**
 * Track 2, one pair × month: join m1 and bqx on the UTC minute (with look-back), fit the
 * quadratic for 6 windows × 2 domains, replace both month partitions in one transaction.
 * Dropped input rows and values that overflow are counted (warnings, the outcome's details).
 */
export async function runRegressionUnit(
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
    const { value: input, fingerprint } = await readFingerprinted(ctx, 'regression', unit, (c) =>
      readRegressionInput(c, ctx.settings, pair, month),
    );
    const { series } = input;
    if (input.badTimestamps > 0) {
      ctx.emit({
        type: 'warning',
        unit,
        code: 'null_timestamp',
        count: input.badTimestamps,
        message: `${input.badTimestamps} m1 rows of ${pair} have a NULL or infinite time and were dropped`,
      });
    }
    if (input.duplicateMinutes > 0) {
      ctx.emit({
        type: 'warning',
        unit,
        code: 'duplicate_minute',
        count: input.duplicateMinutes,
        message: `${input.duplicateMinutes} duplicated m1 minutes in ${unit}: the first row of each was kept`,
      });
    }
    const unmatched = input.m1WithoutBqx + input.bqxWithoutM1;
    if (unmatched > 0) {
      ctx.emit({
        type: 'warning',
        unit,
        code: 'unmatched_minute',
        count: unmatched,
        message: `${unit}: ${input.m1WithoutBqx} m1 minute(s) without a bqx row (no output row) and ${input.bqxWithoutM1} bqx row(s) without an m1 minute (not read)`,
      });
    }
    const rows = series.times.length - series.lookback;
    if (rows === 0) return await reportEmpty(ctx, 'regression', unit, now() - t0, fingerprint);
    const t1 = now();
    const computing = (domain: string) => (window: string) =>
      ctx.emit({ type: 'stage', unit, stage: 'compute', rows, detail: `${domain} ${window}` });
    const overflow = new OverflowCounts(series.lookback);
    const idx = computeRegression(series.values[0]!, 'idx', computing('idx'), overflow);
    const bqx = computeRegression(series.values[1]!, 'bqx', computing('bqx'), overflow);
    warnOverflow(ctx.emit, unit, overflow);
    const part = (m: Map<string, Float64Array>) =>
      new Map([...m].map(([k, v]) => [k, monthPart(v, series.lookback)]));
    const times = monthPart(series.times, series.lookback);
    const writes = [
      { key: 'reg_rate' as const, pair, month, times, columns: part(idx) },
      { key: 'reg_bqx' as const, pair, month, times, columns: part(bqx) },
    ];
    const quality = unitQuality({
      overflow: overflow.toRecord(),
      dropped: {
        null_timestamp: input.badTimestamps,
        duplicate_minute: input.duplicateMinutes,
        m1_without_bqx: input.m1WithoutBqx,
        bqx_without_m1: input.bqxWithoutM1,
      },
    });
    return await commitMonthUnit(
      ctx,
      'regression',
      unit,
      rows,
      writes,
      { start: t0, loaded: t1, computed: now() },
      quality,
      fingerprint,
    );
  } catch (err) {
    return reportFailure(ctx, 'regression', unit, err, now() - t0);
  }
}
