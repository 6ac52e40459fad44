import type { Month } from '../../config/months.js';
import type { UnitOutcome } from '../../db/ledger/results.js';
import { commitMonthUnit } from '../io/commitMonthUnit.js';
import { unitQuality, warnOverflow } from '../io/quality.js';
import { monthPart } from '../io/series.js';
import { monthUnitKey, type UnitContext } from '../io/unitContext.js';
import { emptyUnit, runUnitShell, type UnitScope } from '../io/unitShell.js';
import { readFingerprinted } from '../freshness/readFingerprinted.js';
import { OverflowCounts } from '../kernels/overflow.js';
import { computeRegression } from '../kernels/quadraticFit.js';
import { type RegressionInput, readRegressionInput } from './loadInput.js';

/**
 * Track 2, one pair × month: join m1 and bqx on the UTC minute (with look-back, in one
 * snapshot), fit the quadratic for 6 windows × 2 domains, replace both month partitions
 * in one transaction. Dropped input rows and values that overflow are counted (warnings,
 * the outcome's details).
 */
export function runRegressionUnit(
  ctx: UnitContext,
  pair: string,
  month: Month,
): Promise<UnitOutcome> {
  return runUnitShell(ctx, 'regression', monthUnitKey(pair, month), async (scope) => {
    scope.emit({ type: 'stage', stage: 'load' });
    const { value: input, fingerprint } = await readFingerprinted(
      ctx,
      'regression',
      scope.unit,
      (c) => readRegressionInput(c, ctx.settings, pair, month),
    );
    warnDroppedInput(scope, pair, input);
    const { series } = input;
    const rows = series.times.length - series.lookback;
    if (rows === 0) return emptyUnit({ fingerprint });
    const loaded = scope.now();
    const computing = (domain: string) => (window: string) =>
      scope.emit({ type: 'stage', stage: 'compute', rows, detail: `${domain} ${window}` });
    const overflow = new OverflowCounts(series.lookback);
    const idx = computeRegression(series.values[0]!, 'idx', computing('idx'), overflow);
    const bqx = computeRegression(series.values[1]!, 'bqx', computing('bqx'), overflow);
    warnOverflow(ctx.emit, scope.unit, overflow);
    const part = (m: Map<string, Float64Array>) =>
      new Map([...m].map(([k, v]) => [k, monthPart(v, series.lookback)]));
    const times = monthPart(series.times, series.lookback);
    return commitMonthUnit(scope, {
      rows,
      writes: [
        { key: 'reg_rate', pair, month, times, columns: part(idx) },
        { key: 'reg_bqx', pair, month, times, columns: part(bqx) },
      ],
      loaded,
      computed: {
        at: scope.now(),
        quality: unitQuality({ overflow: overflow.toRecord(), dropped: droppedCounts(input) }),
      },
      recorded: { fingerprint },
    });
  });
}

/** Input rows the load left out, by the code of the warning that reports them. */
function droppedCounts(input: RegressionInput): Record<string, number> {
  return {
    null_timestamp: input.badTimestamps,
    duplicate_minute: input.duplicateMinutes,
    m1_without_bqx: input.m1WithoutBqx,
    bqx_without_m1: input.bqxWithoutM1,
  };
}

/** One warning per kind of input row the load left out (none for a clean month). */
function warnDroppedInput(scope: UnitScope, pair: string, input: RegressionInput): void {
  const { unit, emit } = scope;
  if (input.badTimestamps > 0) {
    emit({
      type: 'warning',
      code: 'null_timestamp',
      count: input.badTimestamps,
      message: `${input.badTimestamps} m1 rows of ${pair} have a NULL or infinite time and were dropped`,
    });
  }
  if (input.duplicateMinutes > 0) {
    emit({
      type: 'warning',
      code: 'duplicate_minute',
      count: input.duplicateMinutes,
      message: `${input.duplicateMinutes} duplicated m1 minutes in ${unit}: the first row of each was kept`,
    });
  }
  const unmatched = input.m1WithoutBqx + input.bqxWithoutM1;
  if (unmatched > 0) {
    emit({
      type: 'warning',
      code: 'unmatched_minute',
      count: unmatched,
      message: `${unit}: ${input.m1WithoutBqx} m1 minute(s) without a bqx row (no output row) and ${input.bqxWithoutM1} bqx row(s) without an m1 minute (not read)`,
    });
  }
}
