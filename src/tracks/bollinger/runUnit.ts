import os from 'node:os';
import type { Month } from '../../config/months.js';
import type { UnitOutcome } from '../../db/ledger/results.js';
import { replacePartitions } from '../io/replacePartitions.js';
import { monthPart } from '../io/series.js';
import { monthUnitKey, reportEmpty, reportFailure, type UnitContext } from '../io/unitContext.js';
import { computeBollinger } from '../kernels/bollinger.js';
import { loadBollingerInput } from './loadInput.js';

/**
 * Track 1, one pair × month: read the BQX input with look-back, compute the 22 Bollinger
 * columns, replace the month partition of `bollinger_bqx_{pair}` in one transaction.
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
    const input = await ctx.withPgClient((c) => loadBollingerInput(c, ctx.settings, pair, month));
    const rows = input.times.length - input.lookback;
    if (rows === 0) return await reportEmpty(ctx, 'bollinger', unit, now() - t0);
    const t1 = now();
    ctx.emit({ type: 'stage', unit, stage: 'compute', rows, detail: 'bollinger 20/30/60/120' });
    const all = computeBollinger(input.values[0]!);
    const columns = new Map([...all].map(([k, v]) => [k, monthPart(v, input.lookback)]));
    const t2 = now();
    ctx.emit({ type: 'stage', unit, stage: 'write', rows });
    let outcome: UnitOutcome | undefined;
    const times = monthPart(input.times, input.lookback);
    await ctx.withPgClient((c) =>
      replacePartitions(
        c,
        ctx.settings,
        [{ key: 'bollinger_bqx', pair, month, times, columns }],
        (bytes) => {
          outcome = {
            track: 'bollinger',
            unit,
            status: 'done',
            rows,
            bytes,
            ms: now() - t0,
            attempt: ctx.attempt,
            host: os.hostname(),
            worker: ctx.worker,
          };
          return outcome;
        },
      ),
    );
    const t3 = now();
    const done = outcome!;
    ctx.emit({
      type: 'unit_done',
      unit,
      rows,
      bytes: done.bytes,
      ms: t3 - t0,
      split: { load: t1 - t0, compute: t2 - t1, write: t3 - t2 },
    });
    return { ...done, ms: t3 - t0 };
  } catch (err) {
    return reportFailure(ctx, 'bollinger', unit, err, now() - t0);
  }
}
