import { assertTransition } from '../../shared/transitions';
import type { Task } from '../../shared/task';
import type { Db } from '../db/statement';
import { claimCandidatesOfType, claimOne, selectQueuedTypes } from './claim.sql';
import { journal } from '../db/sql/insert-event';
import { selectTask } from '../db/sql/select-task';
import { noteState } from './counts';
import { rowToTask } from './rows';
import type { ClaimOptions } from './types';

/**
 * queued -> running for due tasks, in the caller's transaction, so capacity accounting and the
 * state change are one atomic step. Each type with room contributes at most its capacity of
 * candidates (one range of tasks_claim_type each, index entries only); the merged list is cut to
 * `limit` in claim order, so a type with no room never starves the others or costs a scan.
 * Without per-type capacity every type with queued work gets the whole limit.
 */

type Candidate = { id: string; priority: number; run_at: number };

function claimOrder(a: Candidate, b: Candidate): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.run_at !== b.run_at) return a.run_at - b.run_at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function claimTasks(db: Db, opts: ClaimOptions): Task[] {
  const limit = Math.floor(opts.limit);
  if (!(limit > 0)) return [];
  const capacity = opts.capacity ?? new Map(selectQueuedTypes(db).all().map((r) => [r.type, limit]));
  let rows: Candidate[] = [];
  for (const [type, room] of capacity) {
    const n = Math.min(Math.floor(room), limit);
    // Read up to the next power of two and cut: a handful of cached statements whatever the limits.
    if (n > 0) rows = rows.concat(claimCandidatesOfType(db, 2 ** Math.ceil(Math.log2(n))).all(type, opts.now).slice(0, n));
  }
  if (capacity.size > 1) rows.sort(claimOrder);
  rows.length = Math.min(rows.length, limit);
  const data = JSON.stringify({ leaseOwner: opts.bootId });
  const out: Task[] = [];
  for (const r of rows) {
    assertTransition(r.id, 'queued', 'running');
    const row = selectTask(db).get(r.id);
    if (row === undefined || row.state !== 'queued') continue; // cannot happen inside one transaction
    if (claimOne(db).run(opts.bootId, opts.now, opts.now, r.id).changes !== 1) continue;
    // What the UPDATE just wrote, applied to the row read above.
    row.state = 'running';
    row.attempt += 1;
    row.lease_owner = opts.bootId;
    row.started_at ??= opts.now;
    row.updated_at = opts.now;
    noteState(db, row.type, 'queued', 'running');
    journal(db, r.id, 'state', 'queued', 'running', data, opts.now);
    out.push(rowToTask(row));
  }
  return out;
}
