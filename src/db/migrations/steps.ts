import { META_SCHEMA } from '../dataset.js';

/** One numbered step of bqx-monitor's own schema (`bqx_monitor`). Never edit a shipped step. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

const S = META_SCHEMA;

/**
 * Every step, in order. Step 1 is the layout that earlier versions created table by table
 * with `CREATE TABLE IF NOT EXISTS`, so it adopts such a database as it is.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'ledger, runs, workers, dataset',
    sql: `
      CREATE TABLE IF NOT EXISTS ${S}.dataset (
        id int PRIMARY KEY CHECK (id = 1), preset text NOT NULL, seed bigint NOT NULL,
        pairs text[] NOT NULL, data_from text NOT NULL, data_to text NOT NULL,
        bollinger_from text NOT NULL, bollinger_to text NOT NULL,
        regression_from text NOT NULL, regression_to text NOT NULL,
        seeded_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS ${S}.unit_results (
        track text NOT NULL,
        unit text NOT NULL,
        status text NOT NULL CHECK (status IN ('done', 'empty', 'failed')),
        rows bigint NOT NULL DEFAULT 0,
        bytes bigint NOT NULL DEFAULT 0,
        ms double precision NOT NULL DEFAULT 0,
        error text,
        attempts int NOT NULL DEFAULT 1,
        host text NOT NULL,
        worker text NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (track, unit));
      CREATE TABLE IF NOT EXISTS ${S}.runs (
        run_id text PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        status text NOT NULL,
        host text NOT NULL,
        pid int NOT NULL,
        units jsonb NOT NULL);
      CREATE TABLE IF NOT EXISTS ${S}.workers (
        worker_id text PRIMARY KEY,
        track text NOT NULL,
        host text NOT NULL,
        pid int NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now());`,
  },
  {
    id: 2,
    name: 'durable runs: heartbeat, published events, control channel',
    sql: `
      ALTER TABLE ${S}.runs DROP CONSTRAINT IF EXISTS runs_status_check;
      ALTER TABLE ${S}.runs
        ALTER COLUMN units SET DEFAULT '{}'::jsonb,
        ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN backend_pid int,
        ADD COLUMN phase text NOT NULL DEFAULT 'running',
        ADD COLUMN exit_code int,
        ADD COLUMN message text,
        ADD COLUMN log_file text,
        ADD COLUMN resumed_from text,
        ADD COLUMN snapshot jsonb,
        ADD CONSTRAINT runs_status_check
          CHECK (status IN ('running', 'complete', 'failed', 'interrupted', 'lost'));
      CREATE INDEX runs_started_at ON ${S}.runs (started_at DESC);
      CREATE TABLE ${S}.run_events (
        run_id text NOT NULL REFERENCES ${S}.runs ON DELETE CASCADE,
        seq bigint NOT NULL,
        event jsonb NOT NULL,
        PRIMARY KEY (run_id, seq));
      CREATE TABLE ${S}.run_commands (
        id bigserial PRIMARY KEY,
        run_id text NOT NULL REFERENCES ${S}.runs ON DELETE CASCADE,
        action text NOT NULL,
        track text,
        issued_at timestamptz NOT NULL DEFAULT now(),
        issued_by text NOT NULL,
        acked_at timestamptz,
        result text);
      CREATE INDEX run_commands_pending ON ${S}.run_commands (run_id, id) WHERE acked_at IS NULL;`,
  },
  {
    id: 3,
    name: 'unit outcomes: where a unit wrote, its data-quality counts, the run that ran it',
    sql: `
      ALTER TABLE ${S}.unit_results
        ADD COLUMN out_dir text,
        ADD COLUMN details jsonb,
        ADD COLUMN run_id text;`,
  },
  {
    id: 4,
    name: 'unit history: every recorded outcome, append-only, for the reports of past runs',
    sql: `
      CREATE TABLE ${S}.unit_history (
        id bigserial PRIMARY KEY,
        run_id text,
        track text NOT NULL,
        unit text NOT NULL,
        status text NOT NULL CHECK (status IN ('done', 'empty', 'failed')),
        rows bigint NOT NULL DEFAULT 0,
        bytes bigint NOT NULL DEFAULT 0,
        ms double precision NOT NULL DEFAULT 0,
        error text,
        attempts int NOT NULL DEFAULT 1,
        host text NOT NULL,
        worker text NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT now());
      CREATE INDEX unit_history_run ON ${S}.unit_history (run_id, track, unit, id);`,
  },
  {
    id: 5,
    name: 'worker feed: the events of workers the supervisor does not run',
    sql: `
      CREATE TABLE ${S}.worker_feed (
        id bigserial PRIMARY KEY,
        event jsonb NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now());`,
  },
  {
    id: 7,
    name: 'freshness: unit fingerprints, why a unit was planned, source digests and watermarks',
    sql: `
      ALTER TABLE ${S}.unit_results ADD COLUMN fingerprint jsonb;
      ALTER TABLE ${S}.unit_history ADD COLUMN reason text;
      CREATE TABLE ${S}.unit_reasons (
        track text NOT NULL,
        unit text NOT NULL,
        reason text NOT NULL,
        planned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (track, unit));
      CREATE TABLE ${S}.source_digests (
        source text NOT NULL,
        part text NOT NULL,
        rows bigint NOT NULL,
        hash bigint NOT NULL,
        PRIMARY KEY (source, part));
      CREATE TABLE ${S}.source_watermarks (
        source text PRIMARY KEY,
        relation text NOT NULL,
        mark text NOT NULL,
        hashed_at timestamptz NOT NULL DEFAULT now());`,
  },
  {
    id: 8,
    name: 'follows: each live run --follow, its wait and its stop, for every host',
    sql: `
      CREATE TABLE ${S}.follows (
        follow_id text PRIMARY KEY,
        host text NOT NULL,
        pid int NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        interval_ms bigint NOT NULL,
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        cycles int NOT NULL DEFAULT 0,
        last_run_id text,
        next_check timestamptz,
        last_change_unit text,
        last_change_at timestamptz,
        stop_requested_at timestamptz);`,
  },
];
