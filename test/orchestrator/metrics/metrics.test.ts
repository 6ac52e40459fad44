import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sendCommand } from '../../../src/orchestrator/live/controlChannel.js';
import { CLI, runCli } from '../../support/cli.js';
import { writeConfig } from '../../support/config.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/** Prometheus text as `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const TRACKS = ['bollinger', 'regression', 'extraction'];
const units = (m: Map<string, number>, track: string, state: string) =>
  m.get(`bqx_units{track="${track}",state="${state}"}`);

describe('the metrics endpoint (a real run, real PostgreSQL)', { timeout: 400_000 }, () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-metrics-'));
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('rises during a run, has unit times, and agrees with status --json', async () => {
    const config = await writeConfig(
      JSON.stringify({ run: { workers: { bollinger: 1, regression: 1, extraction: 1 } } }),
    );
    const globals = [
      '--db',
      db.url,
      '--data-dir',
      path.join(dir, 'data'),
      '--out',
      path.join(dir, 'out'),
      '--config',
      config,
    ];
    const proc = execa('node', [CLI, ...globals, 'run', '--json', '--metrics-port', '0'], {
      reject: false,
      buffer: false,
      forceKillAfterDelay: false,
      env: { DATABASE_URL: '', PGHOST: '', PGDATABASE: '', PGUSER: '', PGPORT: '', NO_COLOR: '1' },
    });
    let stderr = '';
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (c: string) => {
      stderr += c;
    });
    proc.stdout?.resume();
    try {
      const url = await vi.waitFor(
        () => {
          const m = /metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr);
          if (!m) throw new Error(`no metrics line yet: ${stderr}`);
          return m[1]!;
        },
        { timeout: 120_000, interval: 100 },
      );
      const scrape = async () => parseMetrics(await (await fetch(url)).text());
      const doneOf = (m: Map<string, number>) =>
        TRACKS.reduce((n, t) => n + (units(m, t, 'done') ?? 0), 0);

      const first = await scrape();
      expect(first.get('bqx_database_reachable')).toBe(1);
      expect(
        [...first.keys()].filter((k) => k.startsWith('bqx_run_phase{') && first.get(k) === 1),
      ).toHaveLength(1);
      // Units finish: the counts rise and the unit times are recorded.
      const later = await vi.waitFor(
        async () => {
          const m = await scrape();
          if (doneOf(m) < doneOf(first) + 2) throw new Error('no units done yet');
          return m;
        },
        { timeout: 180_000, interval: 200 },
      );
      expect(doneOf(later)).toBeGreaterThan(doneOf(first));
      const samples = TRACKS.reduce(
        (n, t) => n + (later.get(`bqx_unit_duration_seconds_count{track="${t}"}`) ?? 0),
        0,
      );
      expect(samples).toBeGreaterThan(0);
      expect(later.get('bqx_run_phase{phase="running"}')).toBe(1);
      const rows = TRACKS.reduce(
        (n, t) => n + (later.get(`bqx_rows_written_total{track="${t}"}`) ?? 0),
        0,
      );
      expect(rows).toBeGreaterThan(0);

      // Paused, the run stands still: its metrics and status --json (its heartbeat) agree.
      const runId = (
        await db.pool.query(`SELECT run_id FROM bqx_monitor.runs WHERE status = 'running'`)
      ).rows[0].run_id;
      const c = await db.pool.connect();
      try {
        await sendCommand(c, runId, 'pause', null, 'metrics test');
      } finally {
        c.release();
      }
      await vi.waitFor(
        async () => {
          const m = await scrape();
          const s = await runCli([...globals, 'status', '--json']);
          const status = JSON.parse(s.stdout) as {
            tracks: Array<{
              track: string;
              total: number;
              done: number;
              noData: number;
              failed: number;
              thisRun: { rows: number };
            }>;
          };
          for (const t of status.tracks) {
            const seen = TRACKS.includes(t.track) && {
              total: ['done', 'no_data', 'failed', 'queued', 'running'].reduce(
                (n, k) => n + (units(m, t.track, k) ?? 0),
                0,
              ),
              done: units(m, t.track, 'done'),
              noData: units(m, t.track, 'no_data'),
              failed: units(m, t.track, 'failed'),
              rows: m.get(`bqx_rows_written_total{track="${t.track}"}`),
            };
            expect(seen).toEqual({
              total: t.total,
              done: t.done,
              noData: t.noData,
              failed: t.failed,
              rows: t.thisRun.rows,
            });
          }
          for (const t of TRACKS)
            expect(m.get(`bqx_workers{host="${os.hostname()}",track="${t}"}`)).toBeTypeOf('number');
        },
        { timeout: 60_000, interval: 500 },
      );
      const c2 = await db.pool.connect();
      try {
        await sendCommand(c2, runId, 'resume', null, 'metrics test');
      } finally {
        c2.release();
      }
      const r = await proc;
      expect(r.exitCode, stderr).toBe(0);
      // The endpoint ends with the run.
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      proc.kill('SIGKILL');
    }
  });
});
