import { ServiceError } from './errors';
import type { TaskState } from './task';

/**
 * Every legal state change, in one table. The store applies transitions only through
 * `assertTransition`; anything not listed is ILLEGAL_TRANSITION and writes nothing.
 *
 *   blocked  -> queued (deps met) | paused | cancelled
 *   queued   -> running (claimed) | blocked (retry with unmet deps) | paused | cancelled
 *   running  -> completed | failed | queued (retry backoff, shutdown, recovery)
 *               | waiting (children pending) | paused | cancelled
 *   waiting  -> completed | failed (CHILDREN_FAILED) | paused (its children pause with it) | cancelled
 *   paused   -> queued | blocked (resume; deps decide) | waiting (resume of a parent whose own
 *               work was done when it was paused) | cancelled
 *   failed   -> queued | blocked (retry) | waiting (retry of a parent re-runs failed children)
 *   cancelled-> queued | blocked (retry)
 *   completed is final.
 */
export const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  blocked: ['queued', 'paused', 'cancelled'],
  queued: ['running', 'blocked', 'paused', 'cancelled'],
  running: ['completed', 'failed', 'queued', 'waiting', 'paused', 'cancelled'],
  waiting: ['completed', 'failed', 'paused', 'cancelled'],
  paused: ['queued', 'blocked', 'waiting', 'cancelled'],
  failed: ['queued', 'blocked', 'waiting'],
  cancelled: ['queued', 'blocked'],
  completed: [],
};

export function canTransition(from: TaskState, to: TaskState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(taskId: string, from: TaskState, to: TaskState): void {
  if (!canTransition(from, to)) {
    throw new ServiceError(
      'ILLEGAL_TRANSITION',
      `Task ${taskId} cannot go from ${from} to ${to}; allowed from ${from}: ${TRANSITIONS[from].join(', ') || 'none (final)'}`,
      { taskId, from, to },
    );
  }
}
