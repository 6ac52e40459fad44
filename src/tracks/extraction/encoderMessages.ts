import type { CompressionName } from './parquetFile.js';

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
  | { readonly type: 'batch'; readonly ipc: Uint8Array }
  | { readonly type: 'end' };

/** Messages the encoder thread sends back. */
export type EncoderReply =
  | { readonly type: 'ack' }
  | { readonly type: 'done'; readonly bytes: number }
  | { readonly type: 'error'; readonly message: string };
