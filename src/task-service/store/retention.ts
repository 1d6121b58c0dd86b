import { ServiceError } from '../../shared/errors';
import type { Db } from '../db/statement';
import { deleteEventsOf, deleteTasks, selectLiveDependentsOutside } from '../db/sql/delete-tasks';
import { insertEvent } from '../db/sql/insert-event';
import { selectSubtree } from '../db/sql/relatives';
import { deleteOldRemovedEvents, selectOldRoots, selectRootsBeyond } from '../db/sql/retention';
import type { RetentionPolicy } from './types';

/**
 * Removing finished work. A task leaves with its whole subtree and their events, and only when
 * every member is terminal and no unfinished task outside the subtree depends on a member:
 * deleting a dependency out from under a blocked task would silently change what it waits for.
 */

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Why the subtree of `rootId` cannot go, or null; also returns its ids. */
function inspectSubtree(db: Db, rootId: string): { ids: string[]; problem: string | null } {
  const members = selectSubtree(db).all(rootId);
  const ids = members.map((m) => m.id);
  const live = members.filter((m) => !TERMINAL.has(m.state));
  if (live.length > 0) return { ids, problem: `${live.map((m) => `${m.id} is ${m.state}`).join(', ')}` };
  const deps = selectLiveDependentsOutside(db).all(JSON.stringify(ids), JSON.stringify(ids));
  if (deps.length > 0) return { ids, problem: deps.map((d) => `unfinished task ${d.id} depends on ${d.depends_on_id}`).join(', ') };
  return { ids, problem: null };
}

function deleteAll(db: Db, ids: string[]): void {
  const json = JSON.stringify(ids);
  deleteEventsOf(db).run(json);
  deleteTasks(db).run(json);
}

/** Explicit removal (tasks.remove): journaled, so watchers drop the task. */
export function removeTask(db: Db, id: string, now: number): void {
  const { ids, problem } = inspectSubtree(db, id);
  if (ids.length === 0) throw new ServiceError('NOT_FOUND', `Task ${id} does not exist`, { id });
  if (problem !== null)
    throw new ServiceError('CONFLICT', `Task ${id} cannot be removed yet: ${problem}. Cancel it (or wait for it) first.`, { id, problem });
  deleteAll(db, ids);
  const data = JSON.stringify({ root: id });
  for (const taskId of ids) insertEvent(db).get(taskId, 'removed', null, null, data, now);
}

/**
 * Retention: whole terminal root trees finished before now - olderThanMs, or beyond the newest
 * keepNewest roots. Children go with their root, so a child is never pruned while its parent
 * is unfinished. Not journaled per task (that would grow the journal it is trimming); old
 * 'removed' entries are trimmed by age too. Returns how many tasks were deleted.
 */
export function pruneTasks(db: Db, policy: RetentionPolicy): number {
  const roots = new Set<string>();
  if (policy.olderThanMs !== undefined) for (const r of selectOldRoots(db).all(policy.now - policy.olderThanMs)) roots.add(r.id);
  if (policy.keepNewest !== undefined) for (const r of selectRootsBeyond(db).all(Math.max(0, Math.floor(policy.keepNewest)))) roots.add(r.id);
  let deleted = 0;
  let budget = policy.maxRoots ?? Number.POSITIVE_INFINITY;
  for (const root of roots) {
    if (budget <= 0) break;
    const { ids, problem } = inspectSubtree(db, root);
    if (problem !== null || ids.length === 0) continue;
    deleteAll(db, ids);
    deleted += ids.length;
    budget--;
  }
  if (policy.olderThanMs !== undefined) deleteOldRemovedEvents(db).run(policy.now - policy.olderThanMs);
  return deleted;
}
