import { z } from 'zod';

/** Version of the worker protocol (docs/protocol.md). Bumped on any incompatible change. */
export const PROTOCOL_VERSION = 1;

const track = z.enum(['bollinger', 'regression', 'extraction']);
const stage = z.enum(['load', 'compute', 'write']);

/** Fields every event carries: protocol version, time, worker identity, track and unit. */
const base = {
  v: z.literal(PROTOCOL_VERSION),
  ts: z.string(),
  host: z.string(),
  pid: z.number().int(),
  track,
};
/** `eurusd` for Track 3, `eurusd/2024-08` for pair × month units. */
const unit = z.string().regex(/^[a-z]{6}(\/\d{4}-\d{2})?$/);

/** A count per name (a column, or a warning code), only for names that occurred. */
const counts = z.record(z.string(), z.number().int().min(1));

/**
 * A unit's data-quality counts (docs/protocol.md): only the kinds that occurred, so a
 * clean unit has none. Also recorded as the unit's `unit_results.details`.
 */
export const unitQualitySchema = z
  .object({
    /** Track 3: NaN / ±Infinity values per column, written to Parquet as they are. */
    nonFinite: counts.optional(),
    /** Tracks 1–2: defined values that overflowed per column, written as NULL. */
    overflow: counts.optional(),
    /** Rows left out, by the code of the warning that reported them. */
    dropped: counts.optional(),
  })
  .strict();

export const workerEventSchema = z.discriminatedUnion('type', [
  z
    .object({ ...base, type: z.literal('worker_start'), concurrency: z.number().int().optional() })
    .strict(),
  z
    .object({ ...base, type: z.literal('unit_start'), unit, attempt: z.number().int().min(1) })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('stage'),
      unit,
      stage,
      /** What is being computed, e.g. "w45" (docs/spec/FEATURES.md window names). */
      detail: z.string().optional(),
      rows: z.number().int().min(0).optional(),
      total: z.number().int().min(0).optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('unit_done'),
      unit,
      rows: z.number().int().min(0),
      bytes: z.number().int().min(0),
      ms: z.number().min(0),
      split: z
        .object({ load: z.number(), compute: z.number(), write: z.number() })
        .strict()
        .optional(),
      path: z.string().optional(),
      quality: unitQualitySchema.optional(),
    })
    .strict(),
  z.object({ ...base, type: z.literal('unit_empty'), unit, reason: z.string() }).strict(),
  z
    .object({
      ...base,
      type: z.literal('warning'),
      unit: unit.optional(),
      code: z.string(),
      message: z.string(),
      count: z.number().int().min(0).optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('unit_failed'),
      unit,
      code: z.string(),
      message: z.string(),
      attempt: z.number().int().min(1),
    })
    .strict(),
  z
    .object({
      ...base,
      /**
       * The unit was cut short by a lost database connection: its transaction rolled
       * back, nothing of it is visible, and it runs again once the database is back.
       */
      type: z.literal('unit_interrupted'),
      unit,
      reason: z.string(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('worker_exit'),
      code: z.number().int(),
      reason: z.string(),
      units: z.number().int().min(0),
    })
    .strict(),
]);

/** One line a track's child process writes to stdout. */
export type WorkerEvent = z.infer<typeof workerEventSchema>;
export type TrackName = z.infer<typeof track>;
export type UnitQuality = z.infer<typeof unitQualitySchema>;
