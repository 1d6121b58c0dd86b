import { ServiceError } from '../../shared/errors';
import type { Db } from '../db/statement';
import { deleteEventsOf, deleteOldRemovedEvents, deleteTasks, selectLiveDependentsOutside, selectOldestKept, selectPruneCandidates } from './retention.sql';
import { journal, raiseEventFloor } from '../db/sql/insert-event';
import { selectSubtree } from '../db/sql/relatives';
import { noteState } from './counts';
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
  raiseEventFloor(db).run();
  deleteEventsOf(db).run(json);
  for (const r of deleteTasks(db).all(json)) noteState(db, r.type, r.state, null);
}

/** Explicit removal (tasks.remove): journaled, so watchers drop the task. */
export function removeTask(db: Db, id: string, now: number): void {
  const { ids, problem } = inspectSubtree(db, id);
  if (ids.length === 0) throw new ServiceError('NOT_FOUND', `Task ${id} does not exist`, { id });
  if (problem !== null)
    throw new ServiceError('CONFLICT', `Task ${id} cannot be removed yet: ${problem}. Cancel it (or wait for it) first.`, { id, problem });
  deleteAll(db, ids);
  const data = JSON.stringify({ root: id });
  for (const taskId of ids) journal(db, taskId, 'removed', null, null, data, now);
}

/** Candidates read per call beyond maxRoots, for roots that must stay (a live dependent, say). */
export const SKIP_MARGIN = 50;
/** Page size when a call has no maxRoots (it goes through every candidate). */
const PAGE = 1000;
/** 'removed' journal entries trimmed per bounded call; a backlog goes over several calls. */
const EVENTS_PER_CALL = 1000;

type Position = { at: number; id: string };
const START: Position = { at: -1, id: '' };
const END: Position = { at: Number.MAX_SAFE_INTEGER, id: '' };

/**
 * Where the previous bounded call stopped, per connection. Roots that cannot go yet stay at the
 * old end of the order; without a cursor every call would re-read them first, and more of them
 * than a page would starve every root behind them. The cursor resets once a call reaches the last
 * candidate, so the next round looks at the skipped roots again. Memory only: after a restart
 * a round simply starts over.
 */
const cursors = new WeakMap<Db, Position>();

const before = (a: Position, b: Position) => a.at < b.at || (a.at === b.at && a.id < b.id);

/** The exclusive upper end of the candidates: finished before now - olderThanMs, or older than the newest keepNewest. */
function pruneBound(db: Db, policy: RetentionPolicy): Position | null {
  let bound: Position | null = null;
  if (policy.olderThanMs !== undefined) bound = { at: policy.now - policy.olderThanMs, id: '' }; // '' sorts before every id
  if (policy.keepNewest !== undefined) {
    const keep = Math.max(0, Math.floor(policy.keepNewest));
    const oldestKept = keep === 0 ? END : selectOldestKept(db).get(keep - 1);
    if (oldestKept !== undefined && (bound === null || before(bound, oldestKept))) bound = oldestKept;
  }
  return bound;
}

/**
 * Retention: whole terminal root trees finished before now - olderThanMs, or beyond the newest
 * keepNewest roots. Children go with their root, so a child is never pruned while its parent
 * is unfinished. Not journaled per task (that would grow the journal it is trimming); old
 * 'removed' entries are trimmed by age too. Returns how many tasks were deleted.
 *
 * With maxRoots, a call reads at most maxRoots + SKIP_MARGIN candidates (oldest first, after the
 * cursor) and deletes at most maxRoots trees, so each transaction stays short however large the
 * backlog; the caller calls again while it returns > 0.
 */
export function pruneTasks(db: Db, policy: RetentionPolicy): number {
  const bounded = policy.maxRoots !== undefined;
  let budget = bounded ? Math.max(0, Math.floor(policy.maxRoots!)) : Number.POSITIVE_INFINITY;
  const limit = bounded ? budget + SKIP_MARGIN : PAGE;
  let deleted = 0;
  let after = (bounded ? cursors.get(db) : undefined) ?? START;
  let reachedEnd = true;
  const until = pruneBound(db, policy);
  if (until !== null && budget > 0) {
    const doomed: string[] = [];
    do {
      const page = selectPruneCandidates(db).all({ afterAt: after.at, afterId: after.id, untilAt: until.at, untilId: until.id, limit });
      reachedEnd = page.length < limit;
      for (const root of page) {
        if (budget <= 0) {
          reachedEnd = false; // this root and the rest of the page come first next call
          break;
        }
        after = root;
        const { ids, problem } = inspectSubtree(db, root.id);
        if (problem !== null || ids.length === 0) continue;
        // Deleted together after the page: members of one finished tree never hold up another.
        for (const id of ids) doomed.push(id);
        budget--;
      }
      if (doomed.length > 0) deleteAll(db, doomed);
      deleted += doomed.length;
      doomed.length = 0;
    } while (!bounded && !reachedEnd);
  }
  if (policy.olderThanMs !== undefined) {
    raiseEventFloor(db).run();
    deleteOldRemovedEvents(db).run(policy.now - policy.olderThanMs, bounded ? EVENTS_PER_CALL : -1);
  }
  // Moved last, after every statement of the call succeeded. Should the commit itself still fail,
  // the roots passed over are looked at again next round: late, never lost.
  if (reachedEnd || !bounded) cursors.delete(db);
  else cursors.set(db, after);
  return deleted;
}
