import { ServiceError } from '../../shared/errors';
import { isTerminal, type Task, type TaskError, type TaskEvent, type TaskState } from '../../shared/task';
import { assertTransition } from '../../shared/transitions';
import type { Db } from '../db/statement';
import { journal } from '../db/sql/insert-event';
import { countUnmetDeps, selectChildren, selectDependents } from '../db/sql/relatives';

import { selectTask } from '../db/sql/select-task';
import type { TaskRow } from '../db/sql/task-row';
import { selectLastPause, updateState } from './transition.sql';
import { noteState } from './counts';
import { jsonOrNull, rowToTask } from './rows';
import { leaseRefusal } from './run-guard';
import type { TransitionPatch, TransitionResult } from './types';

/**
 * The one guarded state change, and the cascades it implies, in the caller's transaction.
 * Every change — the requested one and each cascaded one — goes through `change`, which checks
 * the shared TRANSITIONS table first, so nothing is written for an illegal move. Cascades use
 * a worklist rather than recursion: cancelling the head of a 10,000-task chain is a loop.
 */

function toEvent(seq: number, taskId: string, kind: TaskEvent['kind'], from: TaskState | null, to: TaskState | null, data: unknown, at: number): TaskEvent {
  return { seq, taskId, kind, from, to, data: data ?? null, at };
}

/** Applies one legal change to a row already read in this transaction. */
function change(db: Db, row: TaskRow, to: TaskState, now: number, patch: TransitionPatch, events: TaskEvent[]): Task {
  const from = row.state as TaskState;
  assertTransition(row.id, from, to);
  // `attempt` counts runs and is never reset (handlers key side effects by run); a run that ends
  // without failing is refunded, and a user's retry forgives every run so far (rows.ts).
  const attempt = to === 'running' ? row.attempt + 1 : row.attempt;
  const refund = from === 'running' && (patch.refundAttempt === true || to === 'completed' || to === 'waiting' || to === 'cancelled' || to === 'paused');
  const refunded = patch.resetAttempts ? attempt : row.refunded_attempts + (refund ? 1 : 0);
  const next: TaskRow = {
    ...row,
    state: to,
    attempt,
    // The lease names the boot running the task; leaving running always clears it.
    lease_owner: to === 'running' ? (patch.leaseOwner ?? row.lease_owner) : null,
    error: 'error' in patch ? jsonOrNull(patch.error) : to === 'completed' ? null : row.error,
    result: 'result' in patch ? jsonOrNull(patch.result) : row.result,
    run_at: patch.runAt ?? row.run_at,
    // A user's retry gives a fresh crash-loop budget too.
    recoveries: patch.resetAttempts ? 0 : row.recoveries + (patch.countRecovery ? 1 : 0),
    refunded_attempts: refunded,
    started_at: to === 'running' ? (row.started_at ?? now) : row.started_at,
    finished_at: isTerminal(to) ? now : null,
    updated_at: now,
  };
  const res = updateState(db).run(
    to,
    next.attempt,
    next.lease_owner,
    next.error,
    next.result,
    next.run_at,
    next.recoveries,
    next.refunded_attempts,
    next.started_at,
    next.finished_at,
    now,
    row.id,
    from,
    patch.expectLease ?? null,
    patch.expectLease ?? null,
  );
  if (res.changes !== 1) throw new ServiceError('INTERNAL', `Task ${row.id} changed under a transition`, { id: row.id });
  noteState(db, row.type, from, to);
  if (patch.error) {
    const data = JSON.stringify(patch.error);
    events.push(toEvent(journal(db, row.id, 'error', from, to, data, now), row.id, 'error', from, to, patch.error, now));
  }
  const reason = patch.reason ?? null;
  const seq = journal(db, row.id, 'state', from, to, jsonOrNull(reason), now);
  events.push(toEvent(seq, row.id, 'state', from, to, reason, now));
  return rowToTask(next);
}

export function applyTransition(
  db: Db,
  id: string,
  to: TaskState,
  now: number,
  patch: TransitionPatch = {},
  expectFrom?: TaskState | TaskState[],
): TransitionResult {
  const row = selectTask(db).get(id);
  if (!row) throw new ServiceError('NOT_FOUND', `Task ${id} does not exist`, { id });
  if (expectFrom !== undefined) {
    const allowed = Array.isArray(expectFrom) ? expectFrom : [expectFrom];
    if (!allowed.includes(row.state as TaskState))
      throw new ServiceError('ILLEGAL_TRANSITION', `Task ${id} is ${row.state}, not ${allowed.join(' or ')}; it changed meanwhile`, {
        taskId: id,
        from: row.state,
        to,
        expected: allowed,
      });
  }
  // Checked before anything is written (the SQL guard repeats it), so a refusal leaves no trace.
  if (patch.expectLease !== undefined && row.lease_owner !== patch.expectLease) throw leaseRefusal(row, patch.expectLease, `the move to ${to}`);
  const events: TaskEvent[] = [];
  const task = change(db, row, to, now, patch, events);
  const affected: Task[] = [];
  const work: Moved[] = [{ t: task, from: row.state as TaskState }];
  for (let i = 0; i < work.length; i++) {
    for (const m of cascadeFrom(db, work[i]!, now, events)) {
      affected.push(m.t);
      work.push(m);
    }
  }
  return { task, affected, events };
}

/** A task that just changed state, and the state it left. */
interface Moved {
  t: Task;
  from: TaskState;
}

/** The direct consequences of `t` having just entered its state (from `from`). */
function cascadeFrom(db: Db, { t, from }: Moved, now: number, events: TaskEvent[]): Moved[] {
  const out: Moved[] = [];
  const move = (r: TaskRow, to: TaskState, patch: TransitionPatch): void => {
    out.push({ t: change(db, r, to, now, patch, events), from: r.state as TaskState });
  };
  if (t.state === 'paused' && from !== 'paused') pauseChildren(db, t, move);
  else if (from === 'paused' && t.state !== 'cancelled') resumeChildren(db, t, move);
  if (t.state === 'completed') {
    for (const d of selectDependents(db).all(t.id)) {
      if (d.state !== 'blocked' || countUnmetDeps(db).get(d.id)!.n > 0) continue;
      move(d, 'queued', { reason: { cause: 'dependencies completed', dependency: t.id } });
    }
  } else if (t.state === 'failed' || t.state === 'cancelled') {
    const error: TaskError = { code: 'DEPENDENCY_FAILED', message: `Dependency ${t.id} ${t.state}`, retryable: false };
    for (const d of selectDependents(db).all(t.id)) {
      if (isTerminal(d.state as TaskState)) continue;
      move(d, 'cancelled', { error, reason: { cause: 'dependency', dependency: t.id, dependencyState: t.state } });
    }
  }
  // A finished parent's unfinished children have no one to finish for: a parent that failed
  // (its handler threw after spawning, or it crash-looped) takes them down with it, else they
  // would run on, and the parent could not even be cancelled (failed is final but for retry).
  if (t.state === 'cancelled' || t.state === 'failed') {
    const cause = t.state === 'cancelled' ? 'parent cancelled' : 'parent failed';
    const error: TaskError | undefined =
      t.state === 'failed' ? { code: 'CANCELLED', message: `Parent ${t.id} failed; retry the parent to run this again`, retryable: true } : undefined;
    for (const c of selectChildren(db).all(t.id)) {
      if (isTerminal(c.state as TaskState)) continue;
      move(c, 'cancelled', { ...(error ? { error } : {}), reason: { cause, parentId: t.id } });
    }
  }
  return out;
}

type Move = (r: TaskRow, to: TaskState, patch: TransitionPatch) => void;

/**
 * Pausing a parent pauses its live children (and, through the worklist, theirs): running ones are
 * aborted with kind 'pause' once this commits (settler.react). Each is journaled as paused by
 * this parent, so the parent's resume brings back exactly these and not one the user paused.
 */
function pauseChildren(db: Db, t: Task, move: Move): void {
  for (const c of selectChildren(db).all(t.id)) {
    const state = c.state as TaskState;
    if (isTerminal(state) || state === 'paused') continue;
    move(c, 'paused', { leaseOwner: null, reason: { reason: 'pause', by: 'parent', parentId: t.id } });
  }
}

/** Resuming a parent resumes the children its pause paused, each where it was (see resumeTarget). */
function resumeChildren(db: Db, t: Task, move: Move): void {
  for (const c of selectChildren(db).all(t.id)) {
    if (c.state !== 'paused') continue;
    const last = lastPause(db, c.id);
    if (last.by !== 'parent' || last.parentId !== t.id) continue;
    move(c, resumeTarget(db, c.id, last.from), { reason: { reason: 'resume', by: 'parent', parentId: t.id } });
  }
}

/** How a paused task was paused: the state it left and by whom. */
export function lastPause(db: Db, id: string): { from: TaskState | null; by: unknown; parentId: unknown } {
  const row = selectLastPause(db).get(id);
  const data = (row?.data ? JSON.parse(row.data) : null) as { by?: unknown; parentId?: unknown } | null;
  return { from: (row?.from_state ?? null) as TaskState | null, by: data?.by, parentId: data?.parentId };
}

/**
 * Where a paused task resumes: a parent paused while `waiting` (its own work done) waits for its
 * children again instead of re-running its handler; anything else is queued, or blocked while a
 * dependency is not completed.
 */
export function resumeTarget(db: Db, id: string, pausedFrom: TaskState | null): 'queued' | 'blocked' | 'waiting' {
  if (pausedFrom === 'waiting') return 'waiting';
  return countUnmetDeps(db).get(id)!.n > 0 ? 'blocked' : 'queued';
}
