/**
 * A track's pace over its whole run, in bounded memory: units finished per time bucket.
 * The buckets start `FIRST_BUCKET_MS` wide from the track's start; when a finish falls past
 * the last of `PACE_BUCKETS`, neighbours merge pairwise and the width doubles, so the
 * series always spans the run in at most `PACE_BUCKETS` numbers. Kept by the reducer, so
 * every view replaying the run's events draws the same sparkline.
 */
export interface PaceSeries {
  /** Start of the first bucket (epoch ms); undefined before the first finish. */
  readonly origin: number | undefined;
  readonly bucketMs: number;
  /** Units finished per bucket, oldest first, up to the bucket of the latest finish. */
  readonly counts: readonly number[];
}

export const PACE_BUCKETS = 64;
export const FIRST_BUCKET_MS = 5_000;

export const EMPTY_PACE: PaceSeries = { origin: undefined, bucketMs: FIRST_BUCKET_MS, counts: [] };

/** Neighbours summed pairwise: half as many buckets, twice as wide. */
function merged(counts: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < counts.length; i += 2) out.push(counts[i]! + (counts[i + 1] ?? 0));
  return out;
}

/** The counts stretched (with empty buckets) to reach the bucket holding `at`. */
function reaching(s: PaceSeries, origin: number, at: number): PaceSeries {
  let { bucketMs } = s;
  let counts = [...s.counts];
  let index = Math.max(0, Math.floor((at - origin) / bucketMs));
  while (index >= PACE_BUCKETS) {
    counts = merged(counts);
    bucketMs *= 2;
    index = Math.max(0, Math.floor((at - origin) / bucketMs));
  }
  while (counts.length <= index) counts.push(0);
  return { origin, bucketMs, counts };
}

/** The series with a unit finished at `at`; `start` (the track's start) anchors the first bucket. */
export function addFinish(s: PaceSeries, at: number, start: number | undefined): PaceSeries {
  const origin = s.origin ?? Math.min(start ?? at, at);
  const r = reaching(s, origin, at);
  return { ...r, counts: [...r.counts.slice(0, -1), r.counts.at(-1)! + 1] };
}

/**
 * Units per second in each bucket up to `until` (the buckets after the latest finish count
 * as idle). The bucket in progress at `until` is left out until half of it has passed:
 * a few seconds are too few to tell a pace. `ended`: `until` is the track's end (its last
 * finish), so that bucket is its last and what it holds must show: shorter than half, it
 * is folded into the bucket before (their units over their time), or stands alone.
 */
export function paceRates(s: PaceSeries, until: number, ended = false): number[] {
  if (s.origin === undefined) return [];
  const r = until > s.origin ? reaching(s, s.origin, until) : s;
  const seconds = r.bucketMs / 1000;
  const rates = r.counts.map((c) => c / seconds);
  const lastStart = s.origin + (r.counts.length - 1) * r.bucketMs;
  const inLast = until - lastStart;
  if (inLast >= r.bucketMs) return rates;
  rates.pop();
  const last = r.counts.at(-1)!;
  if (inLast >= r.bucketMs / 2) rates.push(last / (inLast / 1000));
  else if (ended && rates.length > 0) {
    rates.pop();
    rates.push((r.counts.at(-2)! + last) / ((r.bucketMs + inLast) / 1000));
  } else if (ended && inLast > 0) rates.push(last / (inLast / 1000));
  return rates;
}
