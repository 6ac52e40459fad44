import type pg from 'pg';
import { META_SCHEMA } from '../../db/dataset.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { TrackPlan } from '../plan/planUnits.js';
import type { TrackHistory } from '../state/estimate.js';

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * What `unit_results` knows of the units a run has to do: each unit's last time at work
 * (done or no data), and per track the median time of a done and of a no-data unit and
 * how many units had no data, for the units never run before.
 */
export async function readHistory(
  client: pg.ClientBase,
  plans: readonly TrackPlan[],
): Promise<Record<TrackName, TrackHistory>> {
  const r = await client.query<{ track: string; unit: string; status: string; ms: number }>(
    `SELECT track, unit, status, ms FROM ${META_SCHEMA}.unit_results WHERE status IN ('done', 'empty')`,
  );
  const out = {} as Record<TrackName, TrackHistory>;
  for (const p of plans) {
    const rows = r.rows.filter((x) => x.track === p.track);
    const byUnit = new Map(rows.map((x) => [x.unit, x.ms]));
    const done = rows.filter((x) => x.status === 'done').map((x) => x.ms);
    const empty = rows.filter((x) => x.status === 'empty').map((x) => x.ms);
    out[p.track] = {
      todo: p.todo.map((u) => ({ unit: u.unit, ms: byUnit.get(u.unit) ?? null })),
      doneMs: median(done),
      emptyMs: median(empty),
      emptyShare: rows.length === 0 ? 0 : empty.length / rows.length,
    };
  }
  return out;
}
