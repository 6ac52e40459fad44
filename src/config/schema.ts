import { parseInterval } from './interval.js';
import { z } from 'zod';
import { ALL_PAIRS, isPairShaped } from './pairs.js';
import { monthProblem } from './months.js';
import { TABLE_KEYS, type TableKey } from './tableKeys.js';

const monthText = z.string().superRefine((s, ctx) => {
  const problem = monthProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const monthSpan = z
  .object({ from: monthText, to: monthText })
  .strict()
  .refine((r) => r.from <= r.to, { message: '"from" must not be after "to"' });

const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, {
  message: 'must be a lower-case SQL identifier (letters, digits, _; at most 63 characters)',
});

const tableTemplate = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*\{pair\}[a-z0-9_]*$/, {
    message: 'must be a lower-case table name containing {pair}, e.g. "m1_{pair}"',
  })
  .refine((s) => s.replace('{pair}', 'eurusd').length <= 55, {
    message: 'is too long: PostgreSQL truncates names at 63 characters (partitions add _yyyy_mm)',
  });

export { TABLE_KEYS, type TableKey };

const tablesShape = Object.fromEntries(TABLE_KEYS.map((k) => [k, tableTemplate.optional()])) as {
  [K in TableKey]: z.ZodOptional<typeof tableTemplate>;
};
const columnsShape = Object.fromEntries(
  TABLE_KEYS.map((k) => [k, z.record(identifier, identifier).optional()]),
) as { [K in TableKey]: z.ZodOptional<z.ZodRecord<typeof identifier, typeof identifier>> };

const pairName = z
  .string()
  .refine(isPairShaped, { message: 'must be six lower-case letters, e.g. "eurusd"' })
  .refine((p) => (ALL_PAIRS as readonly string[]).includes(p), {
    message: 'is not one of the 28 major pairs',
  });

/** Who is told of a run's end (`notify`) and how many runs' logs are kept (`runs`). */
const NOTIFY_AND_RETENTION = {
  notify: z
    .object({
      /** An executable and its arguments (no shell), run with the outcome in its environment. */
      command: z.array(z.string().min(1)).min(1).optional(),
      /** A URL that receives the run's digest as JSON (POST). */
      webhook: z
        .string()
        .refine((u) => /^https?:\/\//.test(u) && URL.canParse(u), {
          message: 'must be an http:// or https:// URL',
        })
        .optional(),
      timeoutSeconds: z.number().min(0.1).max(600).optional(),
    })
    .strict()
    .optional(),
  runs: z
    .object({
      /** Runs whose logs and events are kept (older ones are pruned at a run's start). */
      keep: z.number().int().min(1).max(100_000).optional(),
      /** At most this many megabytes of run logs under {data-dir}/runs. */
      keepMegabytes: z.number().min(1).optional(),
    })
    .strict()
    .optional(),
};

/** The config file (JSON), validated on load. Every key is optional. */
export const configFileSchema = z
  .object({
    database: z
      .object({ url: z.string().min(1).optional() })
      .strict()
      .optional(),
    dataDir: z.string().min(1).optional(),
    outDir: z.string().min(1).optional(),
    schema: identifier.optional(),
    pairs: z.array(pairName).min(1).optional(),
    months: z
      .object({ bollinger: monthSpan.optional(), regression: monthSpan.optional() })
      .strict()
      .optional(),
    tables: z.object(tablesShape).strict().optional(),
    columns: z.object(columnsShape).strict().optional(),
    bollinger: z.object({ inputColumn: identifier.optional() }).strict().optional(),
    extraction: z
      .object({ compression: z.enum(['zstd', 'snappy', 'none']).optional() })
      .strict()
      .optional(),
    run: z
      .object({
        /** Worker processes per track (default: sized to the machine's cores). */
        workers: z
          .object({
            bollinger: z.number().int().min(0).max(64).optional(),
            regression: z.number().int().min(0).max(64).optional(),
            extraction: z.number().int().min(0).max(64).optional(),
          })
          .strict()
          .optional(),
        /** Busy workers at once across all tracks (default: the machine's cores). */
        maxWorkers: z.number().int().min(1).max(256).optional(),
        maxAttempts: z.number().int().min(1).max(100).optional(),
        maxRestarts: z.number().int().min(0).max(100).optional(),
        stallSeconds: z.number().min(1).optional(),
        snapshotSeconds: z.number().min(0.1).optional(),
        /** How long the run waits out an unreachable database before it gives up. */
        databaseTimeoutSeconds: z.number().min(1).optional(),
        /** Prometheus metrics: the supervisor's port (none: no endpoint) and address. */
        metricsPort: z.number().int().min(0).max(65535).optional(),
        metricsHost: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    follow: z
      .object({
        /** Track 3's files are rewritten at most this often while following (`1h`). */
        extractionEvery: z
          .string()
          .refine((t) => 'ms' in parseInterval(t), 'expected an interval such as 30m or 1h')
          .optional(),
      })
      .strict()
      .optional(),
    ...NOTIFY_AND_RETENTION,
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;
