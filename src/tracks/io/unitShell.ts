/**
 * The shell every unit of every track runs in, so that a track's runner holds only what is
 * its own (load, compute, write):
 *
 *   unit_start ─► body(scope) ─┬─ an outcome ──────────► returned as it is (the body recorded
 *                              │                          it and announced `unit_done`)
 *                              ├─ emptyUnit(recorded) ─► recorded "empty", then `unit_empty`
 *                              └─ throws ─┬─ connection lost ─► `UnitInterrupted` (thrown: the
 *                                         │                     worker runs the unit again)
 *                                         └─ otherwise ───────► recorded "failed", `unit_failed`
 *
 * The body receives a `UnitScope`: the unit's clock (`ctx.now`, or `performance.now`) and
 * the reading taken when it started, and an `emit` bound to the unit. A body that reads
 * its input in one database snapshot does so with `readInSnapshot` (readInSnapshot.ts).
 * Whatever a body wants recorded with its outcome beyond the shell's own fields (data-quality
 * `details`, Track 3's `outDir`, and any field `UnitOutcome` gains) travels as
 * `RecordedFields`: with `emptyUnit(recorded)`, or through `unitOutcome` when the body
 * records a "done" itself (in the transaction that writes its data).
 */
import os from 'node:os';
import { isConnectionLoss } from '../../db/connection/connectionLoss.js';
import { recordOutcome, type UnitOutcome } from '../../db/ledger/results.js';
import type { EventBody } from '../protocol/emit.js';
import type { TrackName } from '../protocol/events.js';
import { errorCode, type UnitContext, UnitInterrupted } from './unitContext.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event about one unit, without its `unit` (the scope's `emit` adds it). */
export type UnitEventBody = DistributiveOmit<
  Exclude<EventBody, { type: 'worker_start' | 'worker_exit' }>,
  'unit'
>;

/** Emits an event about the scope's unit. */
export type UnitEmit = (event: UnitEventBody) => void;

/** What the shell gives a unit's body. */
export interface UnitScope {
  readonly ctx: UnitContext;
  readonly track: TrackName;
  readonly unit: string;
  /** The unit's clock (milliseconds). */
  readonly now: () => number;
  /** The clock's reading when the unit started. */
  readonly start: number;
  readonly emit: UnitEmit;
}

/** The fields of an outcome the shell fills in; the others are the unit's to give. */
type ShellFields =
  | 'track'
  | 'unit'
  | 'status'
  | 'rows'
  | 'bytes'
  | 'ms'
  | 'error'
  | 'attempt'
  | 'host'
  | 'worker';

/** What a unit records with its outcome beyond the shell's fields (`details`, `outDir`, …). */
export type RecordedFields = Omit<UnitOutcome, ShellFields>;

/** A body's "no source rows" end: the shell records it (with `recorded`) and announces it. */
export interface EmptyUnit {
  readonly empty: true;
  readonly recorded?: RecordedFields | undefined;
}

/** How a body ends: the outcome it recorded, or "empty" for the shell to record. */
export type BodyEnd = UnitOutcome | EmptyUnit;

/** A unit's body: loads, computes and writes, and returns how it ended. */
export type UnitBody = (scope: UnitScope) => Promise<BodyEnd>;

/** A body's "empty" end, with what to record beside it. */
export function emptyUnit(recorded?: RecordedFields): EmptyUnit {
  return { empty: true, recorded };
}

/**
 * A unit's outcome: the scope's identity (track, unit, attempt, host, worker) with the
 * given status, counts and time, then `recorded`'s fields.
 */
export function unitOutcome(
  scope: UnitScope,
  end: Pick<UnitOutcome, 'status' | 'rows' | 'bytes' | 'ms' | 'error'>,
  recorded?: RecordedFields,
): UnitOutcome {
  const { ctx, track, unit } = scope;
  return {
    track,
    unit,
    ...end,
    attempt: ctx.attempt,
    host: os.hostname(),
    worker: ctx.worker,
    ...recorded,
  };
}

/**
 * Runs one unit of `track` in the shell (see the top of this file): announces its start,
 * runs `body`, and records and announces an "empty" end or a failure.
 */
export async function runUnitShell(
  ctx: UnitContext,
  track: TrackName,
  unit: string,
  body: UnitBody,
): Promise<UnitOutcome> {
  const now = ctx.now ?? performance.now.bind(performance);
  const start = now();
  ctx.emit({ type: 'unit_start', unit, attempt: ctx.attempt });
  // `unit` right after `type`: the events' fields keep the order they always had.
  const emit: UnitEmit = ({ type, ...fields }) => ctx.emit({ type, unit, ...fields } as EventBody);
  const scope: UnitScope = { ctx, track, unit, now, start, emit };
  try {
    const end = await body(scope);
    if ('empty' in end) return await reportEmpty(scope, end.recorded);
    return end;
  } catch (err) {
    return reportFailure(scope, err);
  }
}

/**
 * Records and announces a failed unit; never throws (the failure is already the news),
 * except when the cause is a lost database connection: that is a `UnitInterrupted`, for
 * the worker to handle (nothing can be recorded anyway).
 */
async function reportFailure(scope: UnitScope, err: unknown): Promise<UnitOutcome> {
  const { ctx, unit } = scope;
  if (isConnectionLoss(err)) throw new UnitInterrupted(unit, err);
  const message = err instanceof Error ? err.message : String(err);
  const ms = scope.now() - scope.start;
  const error = `${errorCode(err)}: ${message}`;
  const outcome = unitOutcome(scope, { status: 'failed', rows: 0, bytes: 0, ms, error });
  ctx.emit({ type: 'unit_failed', unit, code: errorCode(err), message, attempt: ctx.attempt });
  await ctx.withPgClient((c) => recordOutcome(c, outcome)).catch(() => {});
  return outcome;
}

/** Records an "empty" (no source data) outcome: expected, not a failure. */
async function reportEmpty(scope: UnitScope, recorded?: RecordedFields): Promise<UnitOutcome> {
  const ms = scope.now() - scope.start;
  const outcome = unitOutcome(scope, { status: 'empty', rows: 0, bytes: 0, ms }, recorded);
  // Recorded first: like `unit_done`, `unit_empty` announces what is committed.
  await scope.ctx.withPgClient((c) => recordOutcome(c, outcome));
  scope.emit({ type: 'unit_empty', reason: 'no source rows in this month' });
  return outcome;
}
