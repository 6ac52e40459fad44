import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../../../src/db/connection/pool.js';
import { readChangeMarks } from '../../../src/db/fingerprint/changeMarks.js';
import { type OwnServer, startOwnServer } from '../../support/ownServer.js';

let server: OwnServer | undefined;
afterAll(async () => {
  await server?.close();
});

/** The marks of two sources, read on a fresh connection (after a restart). */
async function marks(url: string) {
  const p = createPool({ connectionString: url });
  try {
    return await p.withPgClient((c) => readChangeMarks(c, ['bqx.bqx_eurusd', 'bqx.m1_eurusd']));
  } finally {
    await p.pool.end();
  }
}

describe('change marks across a restart of the server', { timeout: 300_000 }, () => {
  it('a clean restart keeps them (no re-hash); a crash, or a write, moves them', async () => {
    server = await startOwnServer();
    const before = await marks(server.url);
    expect(before.get('bqx.bqx_eurusd')).toBeTruthy();

    // The embedded server stops at the end of every command: that must not look like a change.
    await server.stop();
    await server.start();
    expect(await marks(server.url)).toEqual(before);

    // A crash loses the counters: every mark differs, everything is hashed again.
    await server.crash();
    await server.start();
    const afterCrash = await marks(server.url);
    for (const [rel, mark] of afterCrash) expect(mark, rel).not.toEqual(before.get(rel));

    // And a write moves the mark of its table only, once its counters reach the statistics.
    const p = createPool({ connectionString: server.url });
    try {
      await p.pool.query(
        `UPDATE bqx.m1_eurusd SET rate_index = rate_index
          WHERE time = (SELECT min(time) FROM bqx.m1_eurusd)`,
      );
    } finally {
      await p.pool.end();
    }
    await expect
      .poll(async () => (await marks(server!.url)).get('bqx.m1_eurusd'), { timeout: 60_000 })
      .not.toEqual(afterCrash.get('bqx.m1_eurusd'));
    expect((await marks(server.url)).get('bqx.bqx_eurusd')).toEqual(
      afterCrash.get('bqx.bqx_eurusd'),
    );
  });
});
