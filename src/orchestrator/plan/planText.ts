import type { TrackPlan } from './planUnits.js';

/** A plan as `--dry-run --json` prints it: per track its counts, per unit why it would run. */
export function planJson(plans: readonly TrackPlan[]) {
  return {
    tracks: plans.map((p) => ({
      track: p.track,
      total: p.total,
      done: p.done,
      noData: p.empty,
      queued: p.todo.length,
      stale: p.stale,
      adopted: p.adopted,
    })),
    units: plans.flatMap((p) =>
      p.todo.map((u) => ({ track: u.track, unit: u.unit, reason: u.reason ?? '' })),
    ),
  };
}

/**
 * A plan as `run --dry-run` prints it: one line per unit that would run and why, then a
 * line per track with its counts, then what a run would do in all.
 */
export function planLines(plans: readonly TrackPlan[]): string[] {
  const units = plans.flatMap((p) => p.todo);
  const width = Math.max(0, ...units.map((u) => u.unit.length));
  const lines = units.map(
    (u) => `${u.track.padEnd(11)} ${u.unit.padEnd(width)}  ${u.reason ?? ''}`,
  );
  for (const p of plans) {
    const adopted = p.adopted > 0 ? `, ${p.adopted} adopted` : '';
    lines.push(
      `${p.track.padEnd(11)} ${p.total} unit(s): ${p.todo.length} to run (${p.stale} stale), ${p.done} up to date, ${p.empty} no data${adopted}`,
    );
  }
  lines.push(
    units.length === 0
      ? 'dry run: everything is up to date; a run would compute nothing'
      : `dry run: a run would compute ${units.length} unit(s); nothing was run`,
  );
  return lines;
}
