/** Parquet compression codecs Track 3 can write (config `extraction.compression`). */
export type CompressionName = 'zstd' | 'snappy' | 'none';

/** Starts encoding into `path` (the temporary file). */
export interface EncoderStart {
  readonly type: 'start';
  readonly path: string;
  readonly compression: CompressionName;
  readonly rowGroupRows: number;
  readonly metadata: Record<string, string>;
  readonly dictionaryColumns: readonly string[];
}

/** Messages the parent sends to the Parquet encoder thread. */
export type EncoderRequest =
  | EncoderStart
  /** An Arrow IPC stream of one batch: the first `length` bytes of `buffer` (transferred). */
  | { readonly type: 'batch'; readonly buffer: ArrayBuffer; readonly length: number }
  | { readonly type: 'end' };

/** Messages the encoder thread sends back. */
export type EncoderReply =
  /** A batch was read: its buffer comes back (transferred) for a later batch. */
  | { readonly type: 'ack'; readonly buffer: ArrayBuffer }
  /** The file is complete: its bytes, and the encoding's CPU time (ms) where measurable. */
  | { readonly type: 'done'; readonly bytes: number; readonly cpuMs?: number }
  | { readonly type: 'error'; readonly message: string };
