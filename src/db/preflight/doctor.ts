import type { Settings } from '../../config/load.js';
import type { WithPgClient } from '../connection/pool.js';
import { describeScopeLine, type Scope } from '../dataset.js';
import { readCatalog } from './catalog.js';
import { checkContract } from './check.js';
import { type Finding, isRunnable } from './findings.js';
import { readServerSettings, settingNotes } from './serverSettings.js';

/** What the preflight reads: the database (and its masked description), settings, scope. */
export interface PreflightInput {
  readonly db: {
    readonly withPgClient: WithPgClient;
    readonly description: string;
    /** The embedded server, whose settings are ours (its notes say so). */
    readonly embedded: boolean;
  };
  readonly settings: Settings;
  readonly scope: Scope;
}

const ALL_TRACKS = ['bollinger', 'regression', 'extraction'] as const;

/** The preflight's result, as printed by `doctor --json`. */
export interface DoctorReport {
  readonly ok: boolean;
  readonly database: string;
  readonly server: string;
  readonly scope: string;
  readonly tablesChecked: number;
  readonly problems: Finding[];
  readonly notes: Finding[];
}

/** Runs the read-only preflight and returns the report. */
export async function runDoctor(ctx: PreflightInput): Promise<DoctorReport> {
  // Read-only by construction: the server refuses any write inside this transaction.
  const { catalog, server } = await ctx.db.withPgClient(async (c) => {
    await c.query('BEGIN TRANSACTION READ ONLY');
    try {
      return {
        catalog: await readCatalog(c, ctx.settings.schema),
        server: await readServerSettings(c),
      };
    } finally {
      await c.query('COMMIT');
    }
  });
  // Settings first among the notes: the partitions' notes can run to hundreds.
  const findings = [
    ...settingNotes(server, ctx.db.embedded),
    ...checkContract(catalog, ctx.settings, ctx.scope, ALL_TRACKS),
  ];
  return {
    ok: isRunnable(findings),
    database: ctx.db.description,
    server: `PostgreSQL ${catalog.serverVersion}`,
    scope: describeScopeLine(ctx.scope),
    tablesChecked: catalog.tables.size,
    problems: findings.filter((f) => f.severity === 'problem'),
    notes: findings.filter((f) => f.severity === 'note'),
  };
}
