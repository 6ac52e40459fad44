import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { parseJsonLines } from '../support/pipeline.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

/** One pair: Track 1 has two months of data and one without, Track 2 two, Track 3 one. */
const CONFIG = JSON.stringify({
  pairs: ['eurusd'],
  run: { snapshotSeconds: 1, workers: { bollinger: 1, regression: 1, extraction: 1 } },
});

interface LedgerRow {
  track: string;
  unit: string;
  status: string;
  rows: number;
  bytes: number;
  ms: number;
  host: string;
}

/** Nearest rank, recomputed here from its definition: sorted[ceil(p/100 × n) − 1]. */
const rank = (ms: number[], p: number) => {
  const s = [...ms].sort((a, b) => a - b);
  return s.length === 0 ? null : s[Math.ceil((p / 100) * s.length) - 1]!;
};

/** What `report --json` must say of a track, recomputed from the ledger rows of the run. */
function expectedTrack(rows: LedgerRow[], track: string) {
  const mine = rows.filter((r) => r.track === track);
  const done = mine.filter((r) => r.status === 'done');
  const ms = done.map((r) => r.ms);
  const hosts = [...new Set(mine.map((r) => r.host))].map((host) => ({
    host,
    done: done.filter((r) => r.host === host).length,
    noData: mine.filter((r) => r.host === host && r.status === 'empty').length,
    failed: mine.filter((r) => r.host === host && r.status === 'failed').length,
    rows: done.filter((r) => r.host === host).reduce((n, r) => n + r.rows, 0),
  }));
  return {
    track,
    done: done.length,
    noData: mine.filter((r) => r.status === 'empty').length,
    failed: mine.filter((r) => r.status === 'failed').length,
    rows: done.reduce((n, r) => n + r.rows, 0),
    bytes: done.reduce((n, r) => n + r.bytes, 0),
    unitMs: { p50: rank(ms, 50), p90: rank(ms, 90), max: ms.length ? Math.max(...ms) : null },
    slowest: [...done]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5)
      .map((r) => ({ unit: r.unit, ms: r.ms, rows: r.rows, bytes: r.bytes, host: r.host })),
    hosts,
  };
}

describe('runs and report (a real run, real PostgreSQL)', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let dir: string;
  let args: string[];
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-report-'));
    const config = await writeConfig(CONFIG);
    args = ['--db', db.url, '--data-dir', path.join(dir, 'data'), '--out', path.join(dir, 'out')];
    args.push('--config', config);
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const ledgerOf = async (runId: string): Promise<LedgerRow[]> =>
    (
      await db.pool.query(
        `SELECT track, unit, status, rows::float8 AS rows, bytes::float8 AS bytes, ms, host
           FROM bqx_monitor.unit_results WHERE run_id = $1`,
        [runId],
      )
    ).rows;

  it('reports a finished run as unit_results has it, keeps it after a later run, and lists runs', async () => {
    const run = await runCli([...args, 'run', '--json'], { timeout: 240_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const summary = parseJsonLines(run.stdout).find((l) => l.kind === 'summary')!;
    const runId = summary['runId'] as string;
    const ledger = await ledgerOf(runId);
    expect(ledger.map((r) => r.status).sort()).toEqual([
      'done',
      'done',
      'done',
      'done',
      'done',
      'empty',
    ]);

    const r = await runCli([...args, 'report', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ runId, status: 'complete', exitCode: 0, source: 'history' });
    for (const t of report.tracks) expect(t).toMatchObject(expectedTrack(ledger, t.track));
    expect(report.tracks.map((t: { inScope: number }) => t.inScope)).toEqual([3, 2, 1]);
    // Why its units ran (unit_history.reason): none had run before.
    for (const t of report.tracks)
      expect(t.reasons).toEqual({ 'never run': t.done + t.noData + t.failed });
    // The supervisor published the same report at the end: `--json`'s summary carries it.
    expect((summary['report'] as { tracks: unknown }).tracks).toEqual(report.tracks);
    // By id, the same report; as Markdown, its tables.
    const byId = await runCli([...args, 'report', runId, '--json']);
    expect(JSON.parse(byId.stdout).tracks).toEqual(report.tracks);
    const md = await runCli([...args, 'report', runId, '--markdown']);
    expect(md.exitCode).toBe(0);
    expect(md.stdout).toContain(`# Run ${runId}: complete`);
    expect(md.stdout).toMatch(/^\| bollinger \| 3 \| 2 \| 1 \| 0 \| /m);
    const text = await runCli([...args, 'report']);
    expect(text.stdout).toContain(`run ${runId}: complete (exit 0)`);

    // A later run redoes Track 1 (in plain lines: its last line names its report); the
    // first run's report stays as it was.
    const again = await runCli([...args, 'run', '--recompute', 'bollinger'], { timeout: 240_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    const secondId = again.stdout.match(
      /^run (\S+) complete \(exit 0\); .*; report: bqx-monitor report (\S+)$/m,
    );
    expect(secondId?.[2]).toBe(secondId?.[1]);
    expect((await ledgerOf(runId)).some((x) => x.track === 'bollinger')).toBe(false);
    const kept = JSON.parse((await runCli([...args, 'report', runId, '--json'])).stdout);
    expect(kept.tracks).toEqual(report.tracks);
    const second = JSON.parse((await runCli([...args, 'report', '--json'])).stdout);
    expect(second.runId).toBe(secondId![1]);
    expect(second.tracks.map((t: { done: number }) => t.done)).toEqual([2, 0, 0]);
    const t1 = second.tracks[0];
    expect(t1.reasons).toEqual({ forced: t1.done + t1.noData + t1.failed });

    const runs = await runCli([...args, 'runs', '--json']);
    expect(runs.exitCode, runs.stderr).toBe(0);
    const listed = JSON.parse(runs.stdout).runs;
    expect(listed.map((x: { runId: string }) => x.runId)).toEqual([secondId![1], runId]);
    expect(listed[1]).toMatchObject({
      status: 'complete',
      exitCode: 0,
      units: { inScope: 6, done: 5, noData: 1, failed: 0 },
    });
    expect(listed[1].wallSeconds).toBeCloseTo(report.wallSeconds, 0);
    expect((await runCli([...args, 'runs'])).stdout).toContain(runId);

    // A run recorded before the history existed: from unit_results, and the report says so.
    await db.pool.query('DELETE FROM bqx_monitor.unit_history WHERE run_id = $1', [runId]);
    const old = JSON.parse((await runCli([...args, 'report', runId, '--json'])).stdout);
    expect(old).toMatchObject({ source: 'ledger', note: expect.stringContaining('unit_results') });
    expect(old.tracks[0]).toMatchObject({ done: 0, noData: 0 });
    expect(old.tracks[1]).toMatchObject(expectedTrack(await ledgerOf(runId), 'regression'));
  });

  it('refuses a run id it does not know: a usage error (exit 2), one line, no stack', async () => {
    const r = await runCli([...args, 'report', '20990101-000000-ffff']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringContaining("no run '20990101-000000-ffff' is recorded in"),
    ]);
    expect(r.stderr).toContain('bqx-monitor runs lists them');
    expect(r.stderr).not.toContain(db.url);
    // A database no run has been recorded in: nothing to report, exit 1.
    const empty = await createTestDatabase({ empty: true });
    try {
      const none = await runCli(['--db', empty.url, 'report']);
      expect(none.exitCode).toBe(1);
      expect(none.stderr).toContain('no run is recorded in');
      expect(JSON.parse((await runCli(['--db', empty.url, 'runs', '--json'])).stdout)).toEqual({
        runs: [],
      });
    } finally {
      await empty.drop();
    }
  });
});
