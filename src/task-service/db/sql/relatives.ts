import { sqlOp } from '../statement';
import { taskRowOp } from '../task-row-stmt';
import { TASK_COLUMNS, TERMINAL_SQL } from './task-row';

/** Tasks that depend on a task; served by task_deps_reverse. Params: [dependsOnId]. */
export const selectDependents = taskRowOp<[string]>(
  `SELECT ${TASK_COLUMNS} FROM task_deps r JOIN tasks t ON t.id = r.task_id WHERE r.depends_on_id = ? ORDER BY r.task_id`,
);

/** How many of a task's dependencies are not completed. Params: [taskId]. */
export const countUnmetDeps = sqlOp<[string], { n: number }>(
  `SELECT count(*) AS n FROM task_deps d JOIN tasks t ON t.id = d.depends_on_id
   WHERE d.task_id = ? AND t.state != 'completed'`,
);

/** A parent's children, oldest first; served by tasks_parent_id. Params: [parentId]. */
export const selectChildren = taskRowOp<[string]>(
  `SELECT ${TASK_COLUMNS} FROM tasks t WHERE t.parent_id = ? ORDER BY t.id`,
);

/**
 * Per state: how many children a parent has and the sum of their progress ratios, each clamped to
 * [0, 1] (none = 0). One pass over tasks_parent_state, which holds the ratio itself, so no child
 * row is read: a child finishing costs a walk of index entries, not 10,000 row reads and JSON
 * parses. The caller ignores the sums of finished states (they count as 1). Params: [parentId].
 */
export const summarizeChildStates = sqlOp<[string], { state: string; n: number; sum: number }>(
  `SELECT state, count(*) AS n, total(min(1, max(0, coalesce(json_extract(progress, '$.ratio'), 0)))) AS sum
   FROM tasks INDEXED BY tasks_parent_state WHERE parent_id = ? GROUP BY state`,
);

/**
 * Failed children whose error is permanent and has one of the given codes (a JSON array), for a
 * parent that tolerates them (a gone playlist entry). Params: [parentId, codesJson].
 */
export const countToleratedFailures = sqlOp<[string, string], { n: number }>(
  `SELECT count(*) AS n FROM tasks WHERE parent_id = ? AND state = 'failed'
     AND json_extract(error, '$.retryable') = 0 AND json_extract(error, '$.code') IN (SELECT value FROM json_each(?))`,
);

/** A task and all its descendants, with states (remove, cascades). Params: [rootId]. */
export const selectSubtree = sqlOp<[string], { id: string; state: string }>(
  `WITH RECURSIVE sub(id, state) AS (
     SELECT id, state FROM tasks WHERE id = ?
     UNION ALL SELECT t.id, t.state FROM tasks t JOIN sub ON t.parent_id = sub.id)
   SELECT id, state FROM sub`,
);

/** A task's dependency ids (cycle search through existing tasks). Params: [taskId]. */
export const selectDepIds = sqlOp<[string], { depends_on_id: string }>(
  'SELECT depends_on_id FROM task_deps WHERE task_id = ?',
);

/**
 * Unfinished tasks that wait for a task: its dependents (task_deps_reverse) and its parent (a
 * parent completes only after its children). Finished tasks wait for nothing. Params: [id, id].
 */
export const selectWaiters = sqlOp<[string, string], { id: string; as: 'dependency' | 'child' }>(
  `SELECT t.id, 'dependency' AS "as" FROM task_deps r JOIN tasks t ON t.id = r.task_id
   WHERE r.depends_on_id = ? AND t.state NOT IN ${TERMINAL_SQL}
   UNION ALL
   SELECT p.id, 'child' FROM tasks c JOIN tasks p ON p.id = c.parent_id
   WHERE c.id = ? AND p.state NOT IN ${TERMINAL_SQL}`,
);
