/**
 * SQLSTATEs and system error codes that mean "the database went away", not "the query was
 * wrong": the server shut down or restarted (57P01–57P03), the connection broke (class 08),
 * or the socket could not be opened or was cut (ECONNREFUSED, ECONNRESET, …).
 */
const LOSS_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

// node-postgres reports a dropped socket with these messages and no code.
const LOSS_MESSAGES = [
  /Connection terminated/i,
  /Client has encountered a connection error/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /timeout exceeded when trying to connect/i,
  /Client was closed and is not queryable/i,
];

/** True when `err` says the database connection was lost or could not be made. */
export function isConnectionLoss(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && LOSS_CODES.has(e.code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (LOSS_MESSAGES.some((re) => re.test(message))) return true;
  // An AggregateError (a host with several addresses) is a loss when every attempt was.
  if (Array.isArray(e.errors) && e.errors.length > 0) return e.errors.every(isConnectionLoss);
  return e.cause !== undefined && e.cause !== err && isConnectionLoss(e.cause);
}

/** A short, password-free description of a connection error for a status line. */
export function describeLoss(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0]! : String(err);
  const short = message.replace(/(postgres(?:ql)?:\/\/)[^\s]*/gi, '$1…').slice(0, 120);
  return code && !short.includes(code) ? `${code}: ${short}` : short;
}
