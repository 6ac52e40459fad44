import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../../db/embedded/processes.js';
import type { Waiting } from '../../orchestrator/text/waitingLine.js';

/**
 * `{data-dir}/follow.json`: the process of a `run --follow` and what it waits for, while it
 * waits between runs (no run is live then, so the database cannot say): `stop` signals it,
 * `status` shows its waiting line. Written by the follow, removed when it ends.
 */
export interface FollowRecord extends Waiting {
  readonly pid: number;
  readonly host: string;
}

function recordPath(dataDir: string): string {
  return path.join(dataDir, 'follow.json');
}

/** Records this process as the data dir's follow, waiting as `w` says. */
export function writeFollowRecord(dataDir: string, w: Waiting): void {
  const rec: FollowRecord = { pid: process.pid, host: os.hostname(), ...w };
  writeFileSync(recordPath(dataDir), `${JSON.stringify(rec)}\n`, { mode: 0o600 });
}

/** Removes the record if it is this process's. */
export function removeFollowRecord(dataDir: string): void {
  if (readFollowRecord(dataDir)?.pid === process.pid) rmSync(recordPath(dataDir), { force: true });
}

/** The data dir's follow on this host, when its process is alive. */
export function readFollowRecord(dataDir: string): FollowRecord | undefined {
  try {
    const rec = JSON.parse(readFileSync(recordPath(dataDir), 'utf8')) as FollowRecord;
    if (rec.host !== os.hostname() || !Number.isInteger(rec.pid) || !isAlive(rec.pid))
      return undefined;
    return rec;
  } catch {
    return undefined;
  }
}
