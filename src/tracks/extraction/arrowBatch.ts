import {
  Bool,
  type DataType,
  Field,
  Float64,
  Int16,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
} from 'apache-arrow';
import type { DecodedColumn } from '../../db/copy/binaryDecoder.js';
import type { ExtractColumn } from './joinQuery.js';

/** The Arrow type of each wire type: 16-bit stays 16-bit, timestamps are UTC microseconds. */
function arrowType(wire: DecodedColumn['kind']): DataType {
  switch (wire) {
    case 'float8':
      return new Float64();
    case 'int2':
      return new Int16();
    case 'int4':
      return new Int32();
    case 'bool':
      return new Bool();
    case 'text':
      return new Utf8();
    case 'timestamp':
      return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
    case 'int8':
      throw new Error('int8 is not a Phase-1 column type');
  }
}

/** The Arrow schema of the extraction: `ts_utc` then the 81 columns in docs/spec/SCHEMA.md order. */
export function extractionSchema(columns: readonly ExtractColumn[]): Schema {
  return new Schema([
    new Field('ts_utc', arrowType('timestamp'), false),
    ...columns.map((c) => new Field(c.spec.name, arrowType(c.wire), true)),
  ]);
}

/** Packs 0/1 bytes into an LSB-first bitmap (Arrow validity and boolean layout). */
export function packBits(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (bytes[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

function nulls(valid: Uint8Array, length: number): { nullCount: number; nullBitmap?: Uint8Array } {
  let present = 0;
  for (let i = 0; i < length; i++) present += valid[i]!;
  return present === length
    ? { nullCount: 0 }
    : { nullCount: length - present, nullBitmap: packBits(valid, length) };
}

function columnData(col: DecodedColumn, type: DataType, length: number) {
  const validity = nulls(col.valid, length);
  switch (col.kind) {
    case 'float8':
    case 'int4':
    case 'int2':
    case 'timestamp':
      return makeData({ type, length, ...validity, data: col.values.subarray(0, length) } as never);
    case 'bool':
      return makeData({ type, length, ...validity, data: packBits(col.values, length) } as never);
    case 'text': {
      const { offsets, data } = col.values;
      return makeData({
        type,
        length,
        ...validity,
        valueOffsets: offsets.subarray(0, length + 1),
        data: data.subarray(0, offsets[length]),
      } as never);
    }
    case 'int8':
      throw new Error('int8 is not a Phase-1 column type');
  }
}

/** One decoded batch as an Arrow RecordBatch (zero-copy for fixed-width columns). */
export function toRecordBatch(
  schema: Schema,
  decoded: readonly DecodedColumn[],
  length: number,
): RecordBatch {
  const children = decoded.map((col, i) => columnData(col, schema.fields[i]!.type, length));
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}
