import { sqlOp } from '../db/statement';

/**
 * Deletes tasks and their events by a JSON array of ids, in one statement each so a parent
 * and its children go together (foreign keys are checked per statement). Edges go by
 * ON DELETE CASCADE. deleteTasks returns each deleted task's type and state (counts). Params: [idsJson].
 */
export const deleteEventsOf = sqlOp<[string]>('DELETE FROM task_events WHERE task_id IN (SELECT value FROM json_each(?))');
export const deleteTasks = sqlOp<[string], { type: string; state: string }>(
  'DELETE FROM tasks WHERE id IN (SELECT value FROM json_each(?)) RETURNING type, state',
);

/** Ids outside a set that depend on a member and are not terminal (removal guard). Params: [idsJson, idsJson]. */
export const selectLiveDependentsOutside = sqlOp<[string, string], { id: string; depends_on_id: string }>(
  `SELECT t.id, d.depends_on_id FROM task_deps d JOIN tasks t ON t.id = d.task_id
   WHERE d.depends_on_id IN (SELECT value FROM json_each(?))
     AND t.id NOT IN (SELECT value FROM json_each(?))
     AND t.state NOT IN ('completed','failed','cancelled')`,
);


/*
 * Retention reads finished roots through tasks_finished_roots (finished_at, id), a partial index
 * of exactly the finished roots: finished_at is set when, and only when, a task becomes terminal
 * (insert.ts, transition.ts). The queries rely on that instead of also testing `state`, which
 * would read every table row the index walk passes; a root that somehow is not terminal is still
 * refused later, when its subtree's states are checked before deleting.
 */

/** The oldest root that keepNewest keeps: the (keep+1)-th newest finished root is the first to go. Params: [keep - 1]. */
export const selectOldestKept = sqlOp<[number], { at: number; id: string }>(
  `SELECT finished_at AS at, id FROM tasks INDEXED BY tasks_finished_roots
   WHERE parent_id IS NULL AND finished_at IS NOT NULL
   ORDER BY finished_at DESC, id DESC LIMIT 1 OFFSET ?`,
);

/**
 * One page of prune candidates, oldest first: finished roots strictly between the cursor and the
 * bound in (finished_at, id) order. Both retention rules pick a prefix of that order (finished
 * before a time; beyond the newest N), so one bounded range serves them. Params: @afterAt,
 * @afterId, @untilAt, @untilId, @limit.
 */
export const selectPruneCandidates = sqlOp<[{ afterAt: number; afterId: string; untilAt: number; untilId: string; limit: number }], { at: number; id: string }>(
  `SELECT finished_at AS at, id FROM tasks INDEXED BY tasks_finished_roots
   WHERE parent_id IS NULL AND finished_at IS NOT NULL
     AND (finished_at, id) > (@afterAt, @afterId) AND (finished_at, id) < (@untilAt, @untilId)
   ORDER BY finished_at, id LIMIT @limit`,
);

/**
 * Up to `limit` 'removed' journal entries older than a time (their task is long gone), oldest
 * first; served by task_events_removed. LIMIT -1 = all. Params: [before, limit].
 */
export const deleteOldRemovedEvents = sqlOp<[number, number]>(
  `DELETE FROM task_events WHERE seq IN
     (SELECT seq FROM task_events WHERE kind = 'removed' AND at < ? ORDER BY at LIMIT ?)`,
);
