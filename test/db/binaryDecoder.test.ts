import { to as copyTo } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryCopyDecoder, type DecodedColumn } from '../../src/db/copy/binaryDecoder.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

/** Rows with every wire type, NULLs in each column, multi-byte text and edge values. */
const VALUES = `
  SELECT g AS id,
         CASE WHEN g % 7 = 0 THEN NULL ELSE g * 0.1 + 1e-17 END::float8 AS f,
         CASE WHEN g % 5 = 0 THEN NULL ELSE (g % 3) - 1 END::int2 AS s,
         CASE WHEN g % 6 = 0 THEN NULL ELSE g * 1000003 END::int4 AS i,
         CASE WHEN g % 4 = 0 THEN NULL ELSE g % 2 = 0 END AS b,
         CASE WHEN g % 3 = 0 THEN NULL WHEN g % 3 = 1 THEN 'Ω-' || repeat('é', g % 11) ELSE '' END AS t,
         CASE WHEN g % 9 = 0 THEN NULL
              ELSE timestamptz '1999-12-31 23:59:00+00' + g * interval '1 minute' END AS ts
  FROM generate_series(1, 1000) g ORDER BY g`;

const TYPES = ['int4', 'float8', 'int2', 'int4', 'bool', 'text', 'timestamp'] as const;

/** Column `c` of a decoded batch as plain values (NULL as null), rows `0..n`. */
function plain(col: DecodedColumn, n: number): unknown[] {
  return Array.from({ length: n }, (_, r) => {
    if (!col.valid[r]) return null;
    switch (col.kind) {
      case 'text':
        return Buffer.from(
          col.values.data.subarray(col.values.offsets[r], col.values.offsets[r + 1]),
        ).toString('utf8');
      case 'bool':
        return col.values[r] === 1;
      case 'timestamp':
        return new Date(Number(col.values[r]! / 1000n)).toISOString();
      default:
        return Number(col.values[r]);
    }
  });
}

describe('binary COPY decoder', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('decodes every type and NULL equal to the database, whatever the chunk and batch cuts', async () => {
    const expected = await db.pool.query({ text: VALUES, rowMode: 'array' });
    const want = (expected.rows as unknown[][]).map((row) =>
      row.map((v, i) =>
        v === null ? null : i === 6 ? (v as Date).toISOString() : i === 1 ? Number(v) : v,
      ),
    );
    const client = await db.pool.connect();
    let bytes: Buffer;
    try {
      const parts: Buffer[] = [];
      const stream = client.query(copyTo(`COPY (${VALUES}) TO STDOUT (FORMAT binary)`));
      for await (const chunk of stream as unknown as AsyncIterable<Buffer>) parts.push(chunk);
      bytes = Buffer.concat(parts);
    } finally {
      client.release();
    }
    // Chunks of 1, 7 and 4096 bytes cut tuples and fields everywhere; batches of 64 rows
    // are recycled, so text columns are decoded into arrays that held an earlier batch.
    for (const size of [1, 7, 4096]) {
      const decoder = new BinaryCopyDecoder(TYPES, 64);
      const got: unknown[][] = [];
      const take = () => {
        for (let b = decoder.ready.shift(); b; b = decoder.ready.shift()) {
          const cols = b.columns.map((c) => plain(c, b.rows));
          for (let r = 0; r < b.rows; r++) got.push(cols.map((c) => c[r]));
          decoder.recycle(b.columns);
        }
      };
      for (let at = 0; at < bytes.length; at += size) {
        decoder.push(bytes.subarray(at, at + size));
        take();
      }
      expect(decoder.end()).toBe(true);
      take();
      expect(got.length).toBe(1000);
      expect(got).toEqual(want);
    }
  });

  it('counts NaN and infinite doubles per field, once each, whatever the chunk cuts', async () => {
    const query = `SELECT g AS id,
        CASE WHEN g % 10 = 0 THEN 'NaN' WHEN g % 10 = 3 THEN NULL ELSE g * 0.5 END::float8 AS a,
        CASE WHEN g % 7 = 0 THEN 'Infinity' WHEN g % 7 = 1 THEN '-Infinity'
             WHEN g % 7 = 2 THEN '-0' ELSE 1e308 END::float8 AS b,
        'NaN'::text AS c
      FROM generate_series(1, 500) g`;
    const expected = await db.pool.query(`SELECT
        count(*) FILTER (WHERE a = 'NaN' OR a IN ('Infinity', '-Infinity'))::int AS a,
        count(*) FILTER (WHERE b = 'NaN' OR b IN ('Infinity', '-Infinity'))::int AS b
      FROM (${query}) q`);
    const client = await db.pool.connect();
    let bytes: Buffer;
    try {
      const parts: Buffer[] = [];
      const stream = client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`));
      for await (const chunk of stream as unknown as AsyncIterable<Buffer>) parts.push(chunk);
      bytes = Buffer.concat(parts);
    } finally {
      client.release();
    }
    for (const size of [1, 5, 13, 4096]) {
      const decoder = new BinaryCopyDecoder(['int4', 'float8', 'float8', 'text'], 64);
      for (let at = 0; at < bytes.length; at += size) {
        decoder.push(bytes.subarray(at, at + size));
        for (let b = decoder.ready.shift(); b; b = decoder.ready.shift())
          decoder.recycle(b.columns);
      }
      expect(decoder.end()).toBe(true);
      const { a, b } = expected.rows[0];
      expect([...decoder.nonFinite], `chunks of ${size} bytes`).toEqual([0, a, b, 0]);
    }
    expect(expected.rows[0]).toEqual({ a: 50, b: 143 });
  });

  it('reports a stream cut short', async () => {
    const client = await db.pool.connect();
    const parts: Buffer[] = [];
    try {
      const stream = client.query(
        copyTo(`COPY (SELECT 1.5::float8 FROM generate_series(1, 10)) TO STDOUT (FORMAT binary)`),
      );
      for await (const chunk of stream as unknown as AsyncIterable<Buffer>) parts.push(chunk);
    } finally {
      client.release();
    }
    const whole = Buffer.concat(parts);
    const decoder = new BinaryCopyDecoder(['float8'], 4);
    decoder.push(whole.subarray(0, whole.length - 5));
    expect(decoder.end()).toBe(false);
  });
});
