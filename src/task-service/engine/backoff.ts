import type { BackoffOptions } from './define';

/** Used when a task type declares no backoff: 1 s doubling, capped at 5 minutes. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 300_000, factor: 2 };

/**
 * Delay before attempt `attempt + 1` after attempt `attempt` failed (attempt counts from 1).
 * "Equal jitter": half the capped exponential delay is fixed, half random, so retries of many
 * tasks that failed together spread out but never retry immediately. `random` is injectable.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const factor = opts.factor ?? 2;
  const exp = opts.baseMs * Math.pow(factor, Math.max(0, attempt - 1));
  const capped = Math.min(opts.maxMs, Number.isFinite(exp) ? exp : opts.maxMs);
  const half = capped / 2;
  return Math.round(half + half * Math.min(1, Math.max(0, random())));
}
