/**
 * A fixed order for the key-value metadata of a Parquet footer. parquet-wasm takes the
 * metadata as a Map but keeps it in a Rust HashMap, whose iteration order is seeded per
 * process: two runs of one unit wrote the same entries in different orders. The footer
 * (FileMetaData, Thrift compact protocol) is read back and the entries of its
 * `key_value_metadata` list (field 5) put in order. Each entry is a self-contained
 * KeyValue struct, so reordering them keeps the footer's length and every other byte.
 */

/** Thrift compact protocol type ids. */
const T = {
  stop: 0,
  true: 1,
  false: 2,
  byte: 3,
  i16: 4,
  i32: 5,
  i64: 6,
  double: 7,
  binary: 8,
  list: 9,
  set: 10,
  map: 11,
  struct: 12,
} as const;
/** FileMetaData.key_value_metadata: list<KeyValue>. */
const KEY_VALUE_FIELD = 5;

/** A cursor over a Thrift compact buffer that reads just enough to skip values. */
class CompactReader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('Parquet footer: unexpected end');
    return this.buf[this.pos++]!;
  }

  /** An unsigned varint that fits a double exactly (sizes and lengths). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
  }

  /** Field header of a struct: undefined at its stop byte. */
  field(last: number): { id: number; type: number } | undefined {
    const b = this.byte();
    if (b === T.stop) return undefined;
    const delta = b >> 4;
    if (delta !== 0) return { id: last + delta, type: b & 0x0f };
    const raw = this.varint();
    return { id: raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2, type: b & 0x0f };
  }

  /** Header of a list or set: its size and element type. */
  listHeader(): { size: number; type: number } {
    const b = this.byte();
    const short = b >> 4;
    return { size: short === 15 ? this.varint() : short, type: b & 0x0f };
  }

  bytes(): Uint8Array {
    const length = this.varint();
    if (this.pos + length > this.buf.length) throw new Error('Parquet footer: unexpected end');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** Skips one value of `type`; `inCollection`: booleans take a byte of their own there. */
  skip(type: number, inCollection = false): void {
    switch (type) {
      case T.true:
      case T.false:
        if (inCollection) this.pos++;
        return;
      case T.byte:
        this.pos++;
        return;
      case T.i16:
      case T.i32:
      case T.i64:
        this.varint();
        return;
      case T.double:
        this.pos += 8;
        return;
      case T.binary:
        this.bytes();
        return;
      case T.list:
      case T.set: {
        const { size, type: element } = this.listHeader();
        for (let i = 0; i < size; i++) this.skip(element, true);
        return;
      }
      case T.map: {
        const size = this.varint();
        if (size === 0) return;
        const types = this.byte();
        for (let i = 0; i < size; i++) {
          this.skip(types >> 4, true);
          this.skip(types & 0x0f, true);
        }
        return;
      }
      case T.struct:
        for (let f = this.field(0); f; f = this.field(f.id)) this.skip(f.type);
        return;
      default:
        throw new Error(`Parquet footer: unknown Thrift type ${type}`);
    }
  }
}

/** One KeyValue struct of the list: its key and where its bytes are. */
interface Entry {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

function readEntry(r: CompactReader): Entry {
  const start = r.pos;
  let key = '';
  for (let f = r.field(0); f; f = r.field(f.id)) {
    if (f.id === 1 && f.type === T.binary) key = Buffer.from(r.bytes()).toString('utf8');
    else r.skip(f.type);
  }
  return { key, start, end: r.pos };
}

/**
 * `footer` (the FileMetaData bytes) with its key-value entries in a fixed order: the keys
 * of `first` in that order, then any others (e.g. `ARROW:schema`) by key. Undefined when
 * the footer has no such list or it is already in that order.
 */
export function orderKeyValueMetadata(
  footer: Uint8Array,
  first: readonly string[],
): Uint8Array | undefined {
  const r = new CompactReader(footer);
  for (let f = r.field(0); f; f = r.field(f.id)) {
    if (f.id !== KEY_VALUE_FIELD || f.type !== T.list) {
      r.skip(f.type);
      continue;
    }
    const { size, type } = r.listHeader();
    if (type !== T.struct)
      throw new Error('Parquet footer: key_value_metadata is not a struct list');
    const entries = Array.from({ length: size }, () => readEntry(r));
    const rank = (key: string) => {
      const i = first.indexOf(key);
      return i < 0 ? first.length : i;
    };
    const ordered = entries
      .map((e, i) => ({ e, i }))
      .sort(
        (a, b) =>
          rank(a.e.key) - rank(b.e.key) ||
          (a.e.key < b.e.key ? -1 : a.e.key > b.e.key ? 1 : a.i - b.i),
      )
      .map((x) => x.e);
    if (ordered.every((e, i) => e === entries[i])) return undefined;
    const out = Uint8Array.from(footer);
    let at = entries[0]!.start;
    for (const e of ordered) {
      out.set(footer.subarray(e.start, e.end), at);
      at += e.end - e.start;
    }
    return out;
  }
  return undefined;
}
