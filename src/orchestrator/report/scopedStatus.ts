import type { Scope } from '../../db/dataset.js';
import { enumerateUnits } from '../plan/planUnits.js';
import { taskName } from '../queue/queueNames.js';
import { assembleStatus, type StatusReport, type TrackStatusRow } from './runStatus.js';
import { readStatusFacts, type StatusFacts } from './statusFacts.js';

/** A track's row counted over the units of `scope` only, from the ledger and the queue. */
function narrowRow(t: TrackStatusRow, f: StatusFacts, scope: Scope): TrackStatusRow {
  const inScope = new Set(enumerateUnits(scope, t.track).map((u) => u.unit));
  const planned = f.run?.units[t.track];
  const units = planned ? planned.filter((u) => inScope.has(u)) : [...inScope];
  let done = 0;
  let noData = 0;
  let failed = 0;
  let rows = 0;
  for (const u of units) {
    const r = f.outcomes.get(`${t.track}:${u}`);
    if (r?.status === 'done') {
      done++;
      rows += r.rows;
    } else if (r?.status === 'empty') noData++;
    else if (r?.status === 'failed') failed++;
  }
  const running = t.running.filter((r) => inScope.has(r.unit));
  const busy = new Set(running.map((r) => r.unit));
  const queued = f.jobs.filter((j) => {
    const unit = j.key.slice(t.track.length + 1);
    return j.task === taskName(t.track) && inScope.has(unit) && !busy.has(unit);
  }).length;
  // This run's tallies and the ETA are the whole track's: not split by pair or month.
  return {
    ...t,
    total: units.length,
    done,
    noData,
    failed,
    rows,
    running,
    queued,
    thisRun: undefined,
    etaSeconds: null,
  };
}

/**
 * `status --tracks/--pairs/--from/--to`: the report of the units in `scope` only. Tracks
 * left out are not shown; with pairs or months left out (`byUnit`), a track's counts come
 * from the ledger over its units in scope (of the run's plan, when the run recorded one).
 */
export function narrowStatus(
  report: StatusReport,
  f: StatusFacts,
  scope: Scope,
  byUnit: boolean,
): StatusReport {
  const tracks = report.tracks.filter((t) => !scope.tracks || scope.tracks.has(t.track));
  return { ...report, tracks: byUnit ? tracks.map((t) => narrowRow(t, f, scope)) : tracks };
}

/** `readStatus` of the units in `scope` only (see `narrowStatus`). */
export async function readScopedStatus(
  client: Parameters<typeof readStatusFacts>[0],
  scope: Scope,
  byUnit: boolean,
): Promise<StatusReport> {
  const facts = await readStatusFacts(client);
  const report = narrowStatus(assembleStatus(facts), facts, scope, byUnit);
  if (!report.run || !facts.run) return report;
  const age = Math.max(0, Math.round((Date.now() - facts.run.heartbeatAt.getTime()) / 1000));
  return { ...report, run: { ...report.run, heartbeatAgeSeconds: age } };
}
