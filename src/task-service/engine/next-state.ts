import type { Task, TaskError } from '../../shared/task';
import type { ChildSummary, TransitionPatch } from '../store/types';
import { toTaskError, type ThrownInfo } from './abort';
import type { AbortKind } from './define';
import { WAITING_FOR_NETWORK } from './network';

/**
 * The engine's decisions, as pure functions: what a task's state becomes after its handler
 * ends, after its children settle, and after its dependencies settle. No SQLite here: the
 * settler (settler.ts) reads what a decision needs, asks these functions, and writes the answer
 * in one transaction. The shared transition table (shared/transitions.ts) still guards every
 * write; these tables only choose among the legal moves.
 *
 *   handler outcome            children (own work done)      -> state
 *   ok                         some not terminal             -> waiting   (result kept)
 *   ok                         all terminal, any bad         -> failed    CHILDREN_FAILED
 *   ok                         all completed (or none)       -> completed
 *   aborted by our shutdown    -                             -> queued    (attempt refunded)
 *   NETWORK during an outage   -                             -> queued    (refunded; waits for network)
 *   retryable, budget left     -                             -> queued    at now + backoff
 *   permanent, or no budget    -                             -> failed
 */

/** How a handler ended. `abort` is the kind its signal carried, if it was aborted. */
export type Outcome = { ok: true; result: unknown } | { ok: false; info: ThrownInfo; abort: AbortKind | null };

/** A state change the settler applies (always from `running` for nextState). */
export interface Decision {
  to: 'waiting' | 'completed' | 'failed' | 'queued';
  patch: TransitionPatch;
}

/** What a decision may need besides the task: the moment and the retry delay for a failure count. */
export interface Policy {
  now: number;
  /** Backoff before the next attempt once `failedAttempts` attempts failed. */
  delay(failedAttempts: number): number;
  /** The task's type requires the network and the host reported offline during (or since) the run. */
  networkLost?: boolean;
}

/** Failures an outage explains: not counted as attempts while the host reports offline. */
const OUTAGE_CODES: ReadonlySet<string> = new Set(['NETWORK', 'STALLED']);

/**
 * `children` and `failedAttempts` are read lazily: each is a query, a success never needs the
 * failure count and a failure never needs the children (both are measurable per task at
 * thousands of tasks a second).
 */
export function nextState(task: Task, outcome: Outcome, children: () => ChildSummary, failedAttempts: () => number, policy: Policy): Decision {
  if (outcome.ok) {
    const verdict = parentVerdict(children());
    const patch: TransitionPatch = { result: outcome.result, leaseOwner: null };
    if (verdict.to === 'waiting') return { to: 'waiting', patch };
    if (verdict.to === 'failed') return { to: 'failed', patch: { ...patch, error: verdict.error } };
    return { to: 'completed', patch: { ...patch, error: null } };
  }
  if (outcome.abort === 'shutdown') {
    return { to: 'queued', patch: { leaseOwner: null, runAt: policy.now, refundAttempt: true, reason: { reason: 'shutdown' } } };
  }
  const retryable = !outcome.info.permanent;
  const error = toTaskError(outcome.info, retryable);
  if (retryable && policy.networkLost === true && OUTAGE_CODES.has(error.code)) {
    // Not the task's fault: back to queued, where the network constraint holds it until online.
    return { to: 'queued', patch: { leaseOwner: null, runAt: policy.now, refundAttempt: true, error: null, reason: { reason: 'network', waiting: WAITING_FOR_NETWORK, error } } };
  }
  // Runs ended by shutdown, crash recovery or pause do not use up the budget: the store counts
  // failed attempts, not runs.
  const failed = retryable ? failedAttempts() : task.attempt + 1;
  if (retryable && failed < task.maxAttempts) {
    const delayMs = policy.delay(failed);
    return {
      to: 'queued',
      patch: { error, runAt: policy.now + delayMs, leaseOwner: null, reason: { reason: 'retry', run: task.runs, failedAttempts: failed, delayMs } },
    };
  }
  return { to: 'failed', patch: { error, leaseOwner: null } };
}

/** Where a task whose own work is done stands, given its children. */
export type ParentVerdict =
  | { to: 'waiting'; done: number; total: number; ratio: number }
  | { to: 'completed'; done: number; total: number; ratio: number }
  | { to: 'failed'; done: number; total: number; ratio: number; error: TaskError };

export function parentVerdict(s: ChildSummary): ParentVerdict {
  // Tolerated failures (a gone playlist entry) are finished but do not fail the parent.
  const bad = (s.byState.failed ?? 0) - s.tolerated + (s.byState.cancelled ?? 0);
  const done = bad + s.tolerated + (s.byState.completed ?? 0);
  if (done < s.total) return { to: 'waiting', done, total: s.total, ratio: s.ratio };
  if (bad > 0) return { to: 'failed', done, total: s.total, ratio: s.ratio, error: childrenFailed(bad, s.total) };
  return { to: 'completed', done, total: s.total, ratio: 1 };
}

export function childrenFailed(bad: number, total: number): TaskError {
  return { code: 'CHILDREN_FAILED', message: `${bad} of ${total} children failed or were cancelled; retry the parent to retry them`, retryable: true };
}

/** Where a blocked task goes once its dependencies are looked up (undefined: removed). */
export type BlockedVerdict = { to: 'cancelled'; dependency: string } | { to: 'queued' } | { to: 'blocked' };

/**
 * A failed or cancelled dependency cancels its dependent; all completed lets it run. A removed
 * dependency (undefined) neither cancels nor frees it: it stays blocked, as it always has (the
 * store refuses to remove a task that live tasks depend on).
 */
export function blockedVerdict(deps: ReadonlyArray<Task | undefined>): BlockedVerdict {
  const dead = deps.find((d) => d !== undefined && (d.state === 'failed' || d.state === 'cancelled'));
  if (dead !== undefined) return { to: 'cancelled', dependency: dead.id };
  if (deps.every((d) => d?.state === 'completed')) return { to: 'queued' };
  return { to: 'blocked' };
}

export function dependencyFailed(dependency: string): TaskError {
  return { code: 'DEPENDENCY_FAILED', message: `Dependency ${dependency} did not complete`, retryable: false };
}
