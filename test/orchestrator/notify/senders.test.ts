import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDigest } from '../../../src/orchestrator/notify/announce.js';
import { buildDigest } from '../../../src/orchestrator/notify/digest.js';
import { postJson } from '../../../src/orchestrator/notify/webhook.js';

/** A server on 127.0.0.1 answering the n-th request (1-based) with `answer(n)`; null: never. */
async function serve(answer: (n: number) => number | null) {
  const bodies: string[] = [];
  const held: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      const status = answer(bodies.length);
      if (status === null) held.push(res);
      else res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=t`;
  return {
    url,
    bodies,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const digest = buildDigest({
  runId: '20261206-100000-abcd',
  status: 'failed',
  exitCode: 1,
  message: 'failed: regression',
  report: undefined,
  retryCommand: 'bqx-monitor run --detach',
});
const fast = (n: number) => 20 * n;

describe('the webhook sender', () => {
  it('gets a digest through a server that answers 500 twice, on the third try', async () => {
    const s = await serve((n) => (n <= 2 ? 500 : 200));
    try {
      const d = await postJson(s.url, digest, { deadline: Date.now() + 30_000, backoffMs: fast });
      expect(d).toEqual({ ok: true, attempts: 3 });
      expect(s.bodies).toHaveLength(3);
      expect(JSON.parse(s.bodies[2]!)).toMatchObject({ runId: digest.runId, text: digest.text });
    } finally {
      await s.close();
    }
  });

  it('does not retry a refusal (4xx)', async () => {
    const s = await serve(() => 404);
    try {
      const d = await postJson(s.url, digest, { deadline: Date.now() + 30_000, backoffMs: fast });
      expect(d).toMatchObject({ ok: false, attempts: 1, error: 'HTTP 404 Not Found' });
    } finally {
      await s.close();
    }
  });

  it('gives up on a server that never answers at the deadline', async () => {
    const s = await serve(() => null);
    try {
      const t0 = Date.now();
      const d = await postJson(s.url, digest, { deadline: t0 + 1500 });
      const took = Date.now() - t0;
      expect(d.ok).toBe(false);
      expect(d.error).toBe('no answer before the timeout');
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(1500 + 3000);
    } finally {
      await s.close();
    }
  });

  it('reports a server that is not there, never throws', async () => {
    const s = await serve(() => 200);
    const url = s.url;
    await s.close();
    const d = await postJson(url, digest, { deadline: Date.now() + 300, backoffMs: fast });
    expect(d.ok).toBe(false);
    expect(d.error).toMatch(/ECONNREFUSED/);
  });
});

describe('the notify command', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-notify-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function script(name: string, body: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
    return file;
  }

  it('receives the outcome in its environment, and no database password', async () => {
    const out = path.join(dir, 'env.txt');
    const file = await script(
      'env.sh',
      `printf '%s|%s|%s|%s|%s|%s\\n' "$BQX_RUN_ID" "$BQX_STATUS" "$BQX_EXIT_CODE" "$BQX_SUMMARY" "$1" "$DATABASE_URL$PGPASSWORD" > "${out}"`,
    );
    process.env['PGPASSWORD'] = 'never-this';
    try {
      const lines = await sendDigest(
        { command: [file, 'an argument'], webhook: undefined, timeoutSeconds: 10 },
        digest,
      );
      expect(lines).toEqual([`notify command ${file}: failed notice of run ${digest.runId} sent`]);
    } finally {
      delete process.env['PGPASSWORD'];
    }
    expect((await readFile(out, 'utf8')).trim()).toBe(
      `${digest.runId}|failed|1|${digest.summary}|an argument|`,
    );
  });

  it.each([
    [
      'exits 3',
      'echo "no mail server" >&2; exit 3',
      /failed \(exit 3: no mail server\); the run is not affected/,
    ],
    ['hangs', 'sleep 30', /failed \(timed out after 1 s\)/],
  ])('a command that %s is reported, not thrown', async (name, body, line) => {
    const file = await script(`${name.replace(/\s/g, '-')}.sh`, body);
    const t0 = Date.now();
    const lines = await sendDigest(
      { command: [file], webhook: undefined, timeoutSeconds: 1 },
      digest,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('a command that does not exist is reported', async () => {
    const lines = await sendDigest(
      { command: [path.join(dir, 'missing')], webhook: undefined, timeoutSeconds: 5 },
      digest,
    );
    expect(lines[0]).toMatch(/^notify command .*missing failed \(.*ENOENT.*\)/);
  });
});
