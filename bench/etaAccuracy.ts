// How true the run's ETA was: at each share of the units finished, the ETA the run's
// snapshot showed against the time the run really still took.

/** What the bench reads of a `--json` snapshot line. */
interface SnapshotLine {
  readonly kind: 'snapshot';
  readonly phase: string;
  readonly now: string;
  readonly overall: { total: number; finished: number; etaSeconds: number | null };
}

/** The ETA's error when a share of the units had finished. */
export interface EtaPoint {
  /** Share of the units finished (the first snapshot at or past it). */
  readonly at: number;
  readonly eta_s: number | null;
  readonly real_s: number;
  /** (eta − real) / real; null when no ETA was shown. */
  readonly error: number | null;
}

/** Shares of the units at which the ETA is judged (the target: ±20 % from 10 %). */
export const ETA_CHECKPOINTS = [0.1, 0.25, 0.5, 0.75, 0.9] as const;

/**
 * The ETA's error at each checkpoint, from a run's `--json` lines (the end is the last
 * snapshot, taken when the run finished). Empty when the run printed no snapshots.
 */
export function etaAccuracy(lines: readonly unknown[]): EtaPoint[] {
  const snaps = lines.filter(
    (l): l is SnapshotLine =>
      (l as SnapshotLine).kind === 'snapshot' && (l as SnapshotLine).overall !== undefined,
  );
  const end = snaps.at(-1);
  if (!end) return [];
  const endAt = Date.parse(end.now);
  const running = snaps.filter((s) => s.phase === 'running' && s.overall.total > 0);
  const points: EtaPoint[] = [];
  for (const at of ETA_CHECKPOINTS) {
    const s = running.find((x) => x.overall.finished / x.overall.total >= at);
    if (!s) continue;
    const real = (endAt - Date.parse(s.now)) / 1000;
    const eta = s.overall.etaSeconds;
    points.push({
      at,
      eta_s: eta,
      real_s: Math.round(real * 10) / 10,
      error: eta === null || real <= 0 ? null : (eta - real) / real,
    });
  }
  return points;
}

/** `10%: +4% (ETA 120 s, took 115 s)` for each point. */
export function describeEta(points: readonly EtaPoint[]): string {
  return points
    .map((p) => {
      const err =
        p.error === null ? 'no ETA' : `${p.error >= 0 ? '+' : ''}${(100 * p.error).toFixed(0)}%`;
      return `${(100 * p.at).toFixed(0)}%: ${err} (ETA ${p.eta_s ?? '-'} s, took ${p.real_s.toFixed(0)} s)`;
    })
    .join('; ');
}
