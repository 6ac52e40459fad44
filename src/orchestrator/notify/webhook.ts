import { setTimeout as wait } from 'node:timers/promises';

/** How one delivery went: delivered on attempt `attempts`, or not, and why. */
export interface Delivery {
  readonly ok: boolean;
  readonly attempts: number;
  /** The last failure (status or error), when not delivered. */
  readonly error?: string;
}

export interface PostOptions {
  /** The whole delivery, retries included, ends by then (epoch ms). */
  readonly deadline: number;
  /** Wait before attempt n + 1 (ms); default 0.5 s doubling up to 8 s. */
  readonly backoffMs?: (n: number) => number;
  readonly now?: () => number;
}

const defaultBackoff = (n: number) => Math.min(8000, 500 * 2 ** (n - 1));

/** A failure worth another attempt: the server's (5xx), too many requests, or no answer. */
function retryable(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/**
 * POSTs `body` as JSON to `url`, retrying with backoff on a 5xx / 429 / 408 answer or a
 * network error, until it is taken (2xx), refused (another 4xx: retrying would not help) or
 * the deadline passes. Each attempt is cut at the deadline, so a server that never answers
 * delays the caller by no more than that. Never throws.
 */
export async function postJson(url: string, body: unknown, o: PostOptions): Promise<Delivery> {
  const now = o.now ?? Date.now;
  const backoff = o.backoffMs ?? defaultBackoff;
  const payload = JSON.stringify(body);
  let last: Delivery = { ok: false, attempts: 0, error: 'no attempt made before the deadline' };
  for (let n = 1; now() < o.deadline; n++) {
    const tried = await attempt(url, payload, Math.max(1, o.deadline - now()));
    if (tried.ok) return { ok: true, attempts: n };
    last = { ok: false, attempts: n, error: tried.error };
    if (tried.final) return last;
    const pause = Math.min(backoff(n), o.deadline - now());
    if (pause <= 0) return last;
    // A kept timer (not the unref'd shared sleep): the run's exit waits for the delivery,
    // bounded by the deadline, even when nothing else keeps the process alive.
    await wait(pause);
  }
  return last;
}

/** One POST, cut after `timeoutMs`: taken, or why not and whether a retry could help. */
async function attempt(
  url: string,
  payload: string,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; final: boolean; error: string }> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
      signal,
    });
    // The answer's body is not needed: drop it so the connection is freed.
    await res.body?.cancel().catch(() => {});
    if (res.ok) return { ok: true };
    const error = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    return { ok: false, final: !retryable(res.status), error };
  } catch (err) {
    const error = signal.aborted ? 'no answer before the timeout' : describeFetchError(err);
    return { ok: false, final: false, error };
  }
}

/** undici's `fetch failed` hides the reason in `cause`. */
function describeFetchError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message}: ${cause}` : e.message;
}
