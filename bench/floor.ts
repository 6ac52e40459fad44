import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

/** Streams `COPY (query) TO STDOUT` and discards it; returns the bytes read. */
export async function copyOut(
  client: pg.ClientBase,
  query: string,
  format: 'text' | 'binary' = 'binary',
) {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  await pipeline(client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT ${format})`)), sink);
  return bytes;
}

/** Dumps a table in binary COPY format, to be loaded back by `replaceWithCopy`. */
export async function dumpBinary(client: pg.ClientBase, table: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      cb();
    },
  });
  await pipeline(client.query(copyTo(`COPY ${table} TO STDOUT (FORMAT binary)`)), sink);
  return Buffer.concat(parts);
}

/**
 * The database floor of a unit's write: replace a partition with the same bytes in one
 * transaction (TRUNCATE, binary COPY FREEZE FROM STDIN, COMMIT, synchronous: as a unit
 * writes), no computation.
 */
export async function replaceWithCopy(
  client: pg.ClientBase,
  writes: Array<{ table: string; data: Buffer }>,
) {
  await client.query('BEGIN');
  await client.query('SET LOCAL synchronous_commit = on');
  for (const w of writes) {
    await client.query(`TRUNCATE ${w.table}`);
    const stream = client.query(copyFrom(`COPY ${w.table} FROM STDIN (FORMAT binary, FREEZE)`));
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(w.data);
    });
  }
  await client.query('COMMIT');
}

/**
 * The input rows of a Track 2 unit as the database can give them at least: each side of
 * the join, the month's rows, in binary COPY (what the unit reads, without the join).
 */
export async function copyOutRegressionInput(
  client: pg.ClientBase,
  pair: string,
  lo: string,
  hi: string,
): Promise<number> {
  const m1 = await copyOut(
    client,
    `SELECT time, rate_index FROM bqx.m1_${pair} WHERE time >= '${lo}' AND time < '${hi}'`,
  );
  const bqx = await copyOut(
    client,
    `SELECT ts_utc, w15_bqx_return FROM bqx.bqx_${pair} WHERE ts_utc >= '${lo} 00:00:00+00' AND ts_utc < '${hi} 00:00:00+00'`,
  );
  return m1 + bqx;
}
