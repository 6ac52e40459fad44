import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneRunLogs } from '../../src/orchestrator/live/runLogs.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { parseJsonLines } from '../support/pipeline.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

const KEEP = 3;
const FABRICATED = 5;
const config = (keep: number) =>
  writeConfig(
    JSON.stringify({
      pairs: ['eurusd'],
      runs: { keep },
      run: { workers: { bollinger: 1, regression: 1, extraction: 1 } },
    }),
  );

/** A run id of `daysAgo` days back (ids sort by their start). */
const oldId = (daysAgo: number) => {
  const t = new Date(Date.UTC(2026, 0, 20 - daysAgo, 12, 0, 0));
  return `${t.toISOString().slice(0, 10).replace(/-/g, '')}-120000-${String(daysAgo).padStart(4, '0')}`;
};

describe('retention of past runs (records, events, history, logs)', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let dir: string;
  let data: string;
  const ids = Array.from({ length: FABRICATED }, (_, i) => oldId(FABRICATED - i)); // oldest first
  const globals = (cfg: string) => [
    '--db',
    db.url,
    '--data-dir',
    data,
    '--out',
    path.join(dir, 'out'),
    '--config',
    cfg,
  ];

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-retention-'));
    data = path.join(dir, 'data');
    await mkdir(path.join(data, 'runs'), { recursive: true });
    for (const [i, id] of ids.entries()) {
      const at = new Date(Date.UTC(2026, 0, 1 + i, 12));
      await db.pool.query(
        `INSERT INTO bqx_monitor.runs (run_id, started_at, finished_at, status, phase, host, pid, units, exit_code)
         VALUES ($1, $2, $2::timestamptz + interval '5 minutes', 'failed', 'running', 'old-host', 1,
                 '{"bollinger": ["eurusd/2024-01"]}', 1)`,
        [id, at],
      );
      await db.pool.query(
        `INSERT INTO bqx_monitor.run_events (run_id, seq, event) VALUES ($1, 1, '{"type":"tick"}')`,
        [id],
      );
      await db.pool.query(
        `INSERT INTO bqx_monitor.unit_history (run_id, track, unit, status, rows, bytes, ms, error, attempts, host, worker, finished_at)
         VALUES ($1, 'bollinger', 'eurusd/2024-01', 'failed', 0, 0, 10, $2, 3, 'old-host', 'w', $3)`,
        [id, `boom in run ${i}`, at],
      );
      await writeFile(path.join(data, 'runs', `${id}.ndjson`), `{"run":"${id}"}\n`);
      await writeFile(path.join(data, 'runs', `${id}.log`), `log of ${id}\n`);
    }
    await writeFile(path.join(data, 'runs', 'notes.txt'), 'not a run file\n');
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const count = async (table: string, runIds: readonly string[]) =>
    (
      await db.pool.query(
        `SELECT count(*)::int AS n FROM bqx_monitor.${table} WHERE run_id = ANY($1)`,
        [runIds],
      )
    ).rows[0].n as number;

  it('a run prunes the oldest beyond runs.keep from disk and database at its start; report of the oldest kept works', async () => {
    const cfg = await config(KEEP);
    const r = await runCli([...globals(cfg), 'run', '--json'], { timeout: 240_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const runId = String(parseJsonLines(r.stdout).at(-1)!['runId']);
    expect(r.stderr).toMatch(/pruned 3 old run record\(s\) and 6 log file\(s\) of 3 run\(s\)/);
    // The run itself and the newest KEEP - 1 fabricated ones are kept.
    const gone = ids.slice(0, FABRICATED - (KEEP - 1));
    const kept = ids.slice(FABRICATED - (KEEP - 1));
    expect(await count('runs', gone)).toBe(0);
    expect(await count('run_events', gone)).toBe(0);
    expect(await count('unit_history', gone)).toBe(0);
    expect(await count('runs', [...kept, runId])).toBe(KEEP);
    expect(await count('run_events', kept)).toBe(kept.length);
    expect(await count('unit_history', kept)).toBe(kept.length);
    const files = (await readdir(path.join(data, 'runs'))).sort();
    expect(files).toEqual(
      [
        ...kept.flatMap((id) => [`${id}.log`, `${id}.ndjson`]),
        `${runId}.ndjson`,
        'notes.txt',
      ].sort(),
    );
    const report = await runCli([...globals(cfg), 'report', kept[0]!, '--json']);
    expect(report.exitCode, report.stderr).toBe(0);
    const json = JSON.parse(report.stdout);
    expect(json).toMatchObject({ runId: kept[0], status: 'failed', source: 'history' });
    expect(json.tracks[0].failures).toEqual([
      expect.objectContaining({
        unit: 'eurusd/2024-01',
        error: `boom in run ${FABRICATED - (KEEP - 1)}`,
      }),
    ]);
    const oldest = await runCli([...globals(cfg), 'report', gone[0]!, '--json']);
    expect(oldest.exitCode).toBe(2);
    expect(oldest.stderr).toContain(`no run '${gone[0]}' is recorded`);

    // By hand: `runs --prune` with a smaller keep removes the next oldest.
    const byHand = await runCli([...globals(await config(1)), 'runs', '--prune', '--json']);
    expect(byHand.exitCode, byHand.stderr).toBe(0);
    const out = JSON.parse(byHand.stdout);
    expect(out.pruned.records).toEqual(kept);
    expect(out.runs.map((x: { runId: string }) => x.runId)).toEqual([runId]);
    expect(await readdir(path.join(data, 'runs'))).toEqual(
      expect.arrayContaining([`${runId}.ndjson`, 'notes.txt']),
    );
    expect(await readdir(path.join(data, 'runs'))).toHaveLength(2);
  });
});

describe('pruning run logs by size', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-logs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    // keep, keepBytes, protect, runs removed (of r1 oldest … r5 newest, 100 bytes each)
    [10, undefined, [], []],
    [3, undefined, [], [1, 2]],
    [10, 250, [], [1, 2, 3]],
    [2, 1000, [], [1, 2, 3]],
    [10, 10, [], [1, 2, 3, 4]],
    [1, undefined, [2], [1, 3, 4]],
  ])('keep %s, %s bytes, protecting %j: removes %j', async (keep, keepBytes, protect, removed) => {
    const runs = path.join(dir, `case-${keep}-${keepBytes}-${protect.join('')}`);
    await mkdir(runs);
    const id = (n: number) => `2026010${n}-120000-000${n}`;
    for (let n = 1; n <= 5; n++) await writeFile(path.join(runs, `${id(n)}.log`), 'x'.repeat(100));
    await writeFile(path.join(runs, 'keep-me.txt'), 'x'.repeat(5000));
    const r = await pruneRunLogs(runs, {
      keep,
      ...(keepBytes === undefined ? {} : { keepBytes }),
      protect: new Set(protect.map(id)),
    });
    expect(r.runs).toEqual(removed.map(id));
    expect(r.bytes).toBe(100 * removed.length);
    const left = (await readdir(runs)).sort();
    expect(left).toEqual(
      [
        ...[1, 2, 3, 4, 5].filter((n) => !removed.includes(n)).map((n) => `${id(n)}.log`),
        'keep-me.txt',
      ].sort(),
    );
  });

  it('a directory that does not exist has nothing to prune', async () => {
    expect(await pruneRunLogs(path.join(dir, 'none'), { keep: 1 })).toEqual({
      runs: [],
      files: 0,
      bytes: 0,
    });
  });
});
