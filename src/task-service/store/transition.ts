import { ServiceError } from '../../shared/errors';
import { isTerminal, type Task, type TaskError, type TaskEvent, type TaskState } from '../../shared/task';
import { assertTransition } from '../../shared/transitions';
import type { Db } from '../db/statement';
import { insertEvent } from '../db/sql/insert-event';
import { countUnmetDeps, selectChildren, selectDependents } from '../db/sql/relatives';
import { selectTask } from '../db/sql/select-task';
import type { TaskRow } from '../db/sql/task-row';
import { updateState } from './transition.sql';
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
  let attempt = patch.resetAttempts ? 0 : row.attempt;
  if (to === 'running') attempt += 1;
  const next: TaskRow = {
    ...row,
    state: to,
    attempt,
    // The lease names the boot running the task; leaving running always clears it.
    lease_owner: to === 'running' ? (patch.leaseOwner ?? row.lease_owner) : null,
    error: 'error' in patch ? jsonOrNull(patch.error) : to === 'completed' ? null : row.error,
    result: 'result' in patch ? jsonOrNull(patch.result) : row.result,
    run_at: patch.runAt ?? row.run_at,
    recoveries: row.recoveries + (patch.countRecovery ? 1 : 0),
    started_at: to === 'running' ? (row.started_at ?? now) : row.started_at,
    finished_at: isTerminal(to) ? now : null,
    updated_at: now,
  };
  const res = updateState(db).run({
    id: row.id,
    from,
    state: to,
    attempt: next.attempt,
    lease_owner: next.lease_owner,
    error: next.error,
    result: next.result,
    run_at: next.run_at,
    recoveries: next.recoveries,
    started_at: next.started_at,
    finished_at: next.finished_at,
    updated_at: now,
    expect_lease: patch.expectLease ?? null,
  });
  if (res.changes !== 1) throw new ServiceError('INTERNAL', `Task ${row.id} changed under a transition`, { id: row.id });
  noteState(db, row.type, from, to);
  if (patch.error) {
    const data = JSON.stringify(patch.error);
    events.push(toEvent(insertEvent(db).get(row.id, 'error', from, to, data, now)!.seq, row.id, 'error', from, to, patch.error, now));
  }
  const reason = patch.reason ?? null;
  const seq = insertEvent(db).get(row.id, 'state', from, to, jsonOrNull(reason), now)!.seq;
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
  const work: Task[] = [task];
  for (let i = 0; i < work.length; i++) {
    for (const t of cascadeFrom(db, work[i]!, now, events)) {
      affected.push(t);
      work.push(t);
    }
  }
  return { task, affected, events };
}

/** The direct consequences of `t` having just entered its state. */
function cascadeFrom(db: Db, t: Task, now: number, events: TaskEvent[]): Task[] {
  const out: Task[] = [];
  if (t.state === 'completed') {
    for (const d of selectDependents(db).all(t.id)) {
      if (d.state !== 'blocked' || countUnmetDeps(db).get(d.id)!.n > 0) continue;
      out.push(change(db, d, 'queued', now, { reason: { cause: 'dependencies completed', dependency: t.id } }, events));
    }
  } else if (t.state === 'failed' || t.state === 'cancelled') {
    const error: TaskError = { code: 'DEPENDENCY_FAILED', message: `Dependency ${t.id} ${t.state}`, retryable: false };
    for (const d of selectDependents(db).all(t.id)) {
      if (isTerminal(d.state as TaskState)) continue;
      out.push(change(db, d, 'cancelled', now, { error, reason: { cause: 'dependency', dependency: t.id, dependencyState: t.state } }, events));
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
      out.push(change(db, c, 'cancelled', now, { ...(error ? { error } : {}), reason: { cause, parentId: t.id } }, events));
    }
  }
  return out;
}
