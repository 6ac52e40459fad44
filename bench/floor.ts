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

/** Dumps a table as COPY text, to be loaded back by `copyInText`. */
export async function dumpText(client: pg.ClientBase, table: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      cb();
    },
  });
  await pipeline(client.query(copyTo(`COPY ${table} TO STDOUT`)), sink);
  return Buffer.concat(parts);
}

/**
 * The database floor of a unit's write: replace a partition with the same bytes in one
 * transaction (TRUNCATE, COPY FROM STDIN, COMMIT), no computation.
 */
export async function replaceWithText(
  client: pg.ClientBase,
  writes: Array<{ table: string; text: Buffer }>,
) {
  await client.query('BEGIN');
  for (const w of writes) {
    await client.query(`TRUNCATE ${w.table}`);
    const stream = client.query(copyFrom(`COPY ${w.table} FROM STDIN`));
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(w.text);
    });
  }
  await client.query('COMMIT');
}
