// Worker thread of the parallel seeder: generates pairs and loads each in one transaction
// on this thread's own connection, so generation (JavaScript) and loading (the server)
// of several pairs run at once. Protocol (seedMessages.ts): the parent sends `pair`,
// the thread answers `table` per table loaded and then `pair_done` or `pair_failed`.
import { parentPort, workerData } from 'node:worker_threads';
import { createPool } from '../../db/connection/pool.js';
import { loadPair } from './loadPair.js';
import type { SeedThreadData, ToParent, ToThread } from './seedMessages.js';

const port = parentPort!;
const { settings, plan, connection } = workerData as SeedThreadData;
const { pool, withPgClient } = createPool({ ...connection, max: 1 });
const send = (m: ToParent) => port.postMessage(m);

port.on('message', (m: ToThread) => {
  if (m.type === 'close') {
    void pool.end().finally(() => port.close());
    return;
  }
  const { pair } = m;
  withPgClient(async (c) => {
    await c.query('BEGIN');
    try {
      const bars = await loadPair(c, settings, plan, pair, (table, rows) =>
        send({ type: 'table', pair, table, rows }),
      );
      await c.query('COMMIT');
      return bars;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    }
  }).then(
    (bars) => send({ type: 'pair_done', pair, bars }),
    (err: unknown) => {
      const e = err as { message?: string; code?: unknown };
      send({
        type: 'pair_failed',
        pair,
        message: e.message ?? String(err),
        code: typeof e.code === 'string' ? e.code : undefined,
      });
    },
  );
});
