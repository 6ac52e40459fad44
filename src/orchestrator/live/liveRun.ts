import os from 'node:os';
import type pg from 'pg';
import type { WithPgClient } from '../../db/connection/pool.js';
import { judgeRun, probeLiveness } from './election.js';
import { type RunRecord, runningRuns } from './runRecord.js';
import { sleep } from '../../db/connection/sleep.js';

/** What a look for the database's live run found. */
export type LiveRunLookup =
  | { readonly kind: 'live'; readonly run: RunRecord }
  /** Its supervisor lost its session and may come back (the run is waited for). */
  | { readonly kind: 'reconnecting'; readonly run: RunRecord }
  /** A supervisor holds the lock but has not recorded its run yet. */
  | { readonly kind: 'starting' }
  | { readonly kind: 'none' };

/** Looks for the database's live run (read-only). */
export async function findLiveRun(client: pg.ClientBase): Promise<LiveRunLookup> {
  const probe = await probeLiveness(client, os.hostname());
  for (const run of await runningRuns(client)) {
    const j = judgeRun(run, probe);
    if (j.kind === 'live') return { kind: 'live', run };
    if (j.kind === 'reconnecting') return { kind: 'reconnecting', run };
  }
  return probe.lockHolder !== undefined ? { kind: 'starting' } : { kind: 'none' };
}

/**
 * Looks for the live run until one is recorded: a run that is starting (its supervisor
 * holds the lock) is waited for, and so is none at all when `expectRun` (this process has
 * just launched a supervisor), up to `timeoutMs` or until `stopWaiting()` says so (e.g. the
 * launched supervisor has exited).
 */
export async function waitForLiveRun(
  withPgClient: WithPgClient,
  o: { timeoutMs: number; expectRun?: boolean; stopWaiting?: () => boolean },
): Promise<LiveRunLookup> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const found = await withPgClient((c) => findLiveRun(c));
    if (found.kind === 'live' || found.kind === 'reconnecting') return found;
    if (found.kind === 'none' && !o.expectRun) return found;
    if (o.stopWaiting?.() || Date.now() > deadline) return found;
    await sleep(150);
  }
}
