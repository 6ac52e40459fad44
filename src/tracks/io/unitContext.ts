import os from 'node:os';
import type { Settings } from '../../config/load.js';
import { formatMonth, type Month } from '../../config/months.js';
import { describeLoss } from '../../db/connection/connectionLoss.js';
import type { WithPgClient } from '../../db/connection/pool.js';
import type { Emit } from '../protocol/emit.js';

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
