import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaveUpMessage } from '../../../src/db/connection/retry.js';
import { endRun } from '../../../src/orchestrator/live/runRecord.js';
import { type LinkEvents, SupervisorLink } from '../../../src/orchestrator/run/supervisorLink.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/*
 * The supervisor's link on a real database: the live-run lock, and what happens when its
 * session is lost (reconnect, or give up past the limit).
 */

let db: TestDatabase;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  for (const p of pools) await p.end().catch(() => {});
  await db?.drop();
});

/** A link on a pool of its own, recording what it reports. */
function link(giveUpAfterMs = 60_000) {
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => {});
  pools.push(pool);
  const seen: string[] = [];
  const events: LinkEvents = {
    onChange: (state) => void seen.push(state),
    onCommand: () => void seen.push('command'),
    onFeed: () => void seen.push('feed'),
    onGiveUp: (message) => void seen.push(`gave up: ${message}`),
    onTakenOver: (message) => void seen.push(`taken over: ${message}`),
  };
  return { link: new SupervisorLink(pool, events, giveUpAfterMs), pool, seen };
}

const run = (runId: string) => ({ runId, host: 'test-host', pid: process.pid });

/** Ends a run's record, so that the next claim does not wait for it. */
async function ended(runId: string) {
  await db.pool.query('SELECT 1');
  const c = await db.pool.connect();
  try {
    await endRun(c, runId, { status: 'complete', exitCode: 0 });
  } finally {
    c.release();
  }
}

/** Ends the link's session from the server's side, as a restart would. */
async function cut(l: SupervisorLink) {
  const pid = await l.withControl(
    async (c) => (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p,
  );
  await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
}

describe('SupervisorLink', () => {
  it('claims the live run; another claim finds it taken; close gives it back', async () => {
    const a = link();
    expect((await a.link.claim(run('a'))).kind).toBe('won');
    const b = link();
    expect((await b.link.claim(run('b'))).kind).toBe('taken');
    await a.link.close();
    await ended('a');
    const c = link();
    expect((await c.link.claim(run('c'))).kind).toBe('won');
    await c.link.close();
    await ended('c');
  });

  it('a session cut from the server: lost, then back; commands and the feed are read again', async () => {
    const a = link();
    expect((await a.link.claim(run('d'))).kind).toBe('won');
    await cut(a.link);
    await expect.poll(() => a.seen.includes('back'), { timeout: 60_000 }).toBe(true);
    expect(a.seen.slice(0, 4)).toEqual(['lost', 'back', 'command', 'feed']);
    expect(a.link.lostSince).toBeUndefined();
    // The lock is still this link's.
    expect((await link().link.claim(run('e'))).kind).toBe('taken');
    await a.link.close();
    await ended('d');
  });

  it('a database away past the limit: gives up, in the one wording', async () => {
    const a = link(1000);
    expect((await a.link.claim(run('f'))).kind).toBe('won');
    // Every new session goes to a port nothing listens on: the database is away.
    const away = new URL(db.url);
    away.port = '1';
    (a.pool as unknown as { options: { connectionString: string } }).options.connectionString =
      away.toString();
    await cut(a.link);
    await expect
      .poll(() => a.seen.find((s) => s.startsWith('gave up')), { timeout: 60_000 })
      .toBe(`gave up: ${gaveUpMessage(1000)}`);
    expect(a.seen).not.toContain('back');
    await a.link.close();
  });
});
