import os from 'node:os';
import type { Settings } from '../../config/load.js';
import { formatMonth, type Month } from '../../config/months.js';
import { describeLoss, isConnectionLoss } from '../../db/connection/connectionLoss.js';
import type { WithPgClient } from '../../db/connection/pool.js';
import type { Fingerprint } from '../../db/fingerprint/fingerprint.js';
import { recordOutcome, type UnitOutcome } from '../../db/ledger/results.js';
import type { Emit } from '../protocol/emit.js';
import type { TrackName } from '../protocol/events.js';

/** What a unit runner receives: database access, settings, the event sink, its attempt. */
export interface UnitContext {
  readonly withPgClient: WithPgClient;
  readonly settings: Settings;
  readonly emit: Emit;
  readonly attempt: number;
  /** Worker identity recorded with outcomes: `host:pid`. */
  readonly worker: string;
  readonly now?: () => number;
}

/** `host:pid` of this process. */
export function workerIdentity(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** A pair × month unit's key: `eurusd/2024-08`. */
export function monthUnitKey(pair: string, month: Month): string {
  return `${pair}/${formatMonth(month)}`;
}

/** The stable code of an error: PostgreSQL's SQLSTATE when there is one. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'error';
}

/**
 * A unit cut short because the database connection was lost: not the unit's failure (its
 * transaction rolled back; nothing of it is visible). The worker runs it again once the
 * database is back; a single `track` run reports it and exits 1.
 */
export class UnitInterrupted extends Error {
  constructor(
    readonly unit: string,
    /** The connection error. */
    readonly lost: unknown,
  ) {
    super(`${unit}: the database connection was lost (${describeLoss(lost)})`);
    this.name = 'UnitInterrupted';
  }
}

/**
 * Records and announces a failed unit; never throws (the failure is already the news),
 * except when the cause is a lost database connection: that is a `UnitInterrupted`, for
 * the worker to handle (nothing can be recorded anyway).
 */
export async function reportFailure(
  ctx: UnitContext,
  track: TrackName,
  unit: string,
  err: unknown,
  ms: number,
): Promise<UnitOutcome> {
  if (isConnectionLoss(err)) throw new UnitInterrupted(unit, err);
  const message = err instanceof Error ? err.message : String(err);
  const outcome: UnitOutcome = {
    track,
    unit,
    status: 'failed',
    rows: 0,
    bytes: 0,
    ms,
    error: `${errorCode(err)}: ${message}`,
    attempt: ctx.attempt,
    host: os.hostname(),
    worker: ctx.worker,
  };
  ctx.emit({ type: 'unit_failed', unit, code: errorCode(err), message, attempt: ctx.attempt });
  await ctx.withPgClient((c) => recordOutcome(c, outcome)).catch(() => {});
  return outcome;
}

/**
 * Records an "empty" (no source data) outcome: expected, not a failure. Its fingerprint
 * (no rows) lets the next plan see the month fill.
 */
export async function reportEmpty(
  ctx: UnitContext,
  track: TrackName,
  unit: string,
  ms: number,
  fingerprint?: Fingerprint,
): Promise<UnitOutcome> {
  const outcome: UnitOutcome = {
    track,
    unit,
    status: 'empty',
    rows: 0,
    bytes: 0,
    ms,
    attempt: ctx.attempt,
    host: os.hostname(),
    worker: ctx.worker,
    fingerprint,
  };
  // Recorded first: like `unit_done`, `unit_empty` announces what is committed.
  await ctx.withPgClient((c) => recordOutcome(c, outcome));
  ctx.emit({ type: 'unit_empty', unit, reason: 'no source rows in this month' });
  return outcome;
}
