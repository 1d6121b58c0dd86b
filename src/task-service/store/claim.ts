import { assertTransition } from '../../shared/transitions';
import type { Task } from '../../shared/task';
import type { Db } from '../db/statement';
import { claimCandidates, claimCandidatesOfType, claimOne } from '../db/sql/claim';
import { insertEvent } from '../db/sql/insert-event';
import type { TaskRow } from '../db/sql/task-row';
import { rowToTask } from './rows';
import type { ClaimOptions } from './types';

/**
 * queued -> running for due tasks, in the caller's transaction, so capacity accounting and the
 * state change are one atomic step. With per-type capacity, each type with room contributes at
 * most its capacity of candidates (one index range each); the merged list is cut to `limit` in
 * claim order, so a type with no room never starves the others or costs a scan.
 */

function claimOrder(a: TaskRow, b: TaskRow): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.run_at !== b.run_at) return a.run_at - b.run_at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function claimTasks(db: Db, opts: ClaimOptions): Task[] {
  const limit = Math.floor(opts.limit);
  if (!(limit > 0)) return [];
  let rows: TaskRow[];
  if (opts.capacity === null) {
    rows = claimCandidates(db).all(opts.now, limit);
  } else {
    rows = [];
    for (const [type, room] of opts.capacity) {
      const n = Math.min(Math.floor(room), limit);
      if (n > 0) rows.push(...claimCandidatesOfType(db).all(type, opts.now, n));
    }
    rows.sort(claimOrder);
    rows.length = Math.min(rows.length, limit);
  }
  const data = JSON.stringify({ leaseOwner: opts.bootId });
  return rows.map((r) => {
    assertTransition(r.id, 'queued', 'running');
    claimOne(db).run(opts.bootId, opts.now, opts.now, r.id);
    insertEvent(db).get(r.id, 'state', 'queued', 'running', data, opts.now);
    return rowToTask({
      ...r,
      state: 'running',
      attempt: r.attempt + 1,
      lease_owner: opts.bootId,
      started_at: r.started_at ?? opts.now,
      updated_at: opts.now,
    });
  });
}
