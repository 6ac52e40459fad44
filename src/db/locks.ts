/**
 * Advisory locks of bqx-monitor, in PostgreSQL's two-key form: the first key is the
 * project's namespace ("bqxm"), the second says what is locked. Advisory locks are per
 * database, so each database has its own migration lock and its own live run.
 */
export const LOCK_NAMESPACE = 0x6271786d;

/** What each lock serialises. */
export const LOCKS = {
  /** Schema upgrades (ours and the queue's): one process at a time. */
  migrate: 1,
  /** Held by the supervisor of the live run for as long as the run lives. */
  liveRun: 2,
} as const;
