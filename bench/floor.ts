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
 * transaction (TRUNCATE, binary COPY FROM STDIN, COMMIT), no computation.
 */
export async function replaceWithCopy(
  client: pg.ClientBase,
  writes: Array<{ table: string; data: Buffer }>,
) {
  await client.query('BEGIN');
  for (const w of writes) {
    await client.query(`TRUNCATE ${w.table}`);
    const stream = client.query(copyFrom(`COPY ${w.table} FROM STDIN (FORMAT binary)`));
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(w.data);
    });
  }
  await client.query('COMMIT');
}
