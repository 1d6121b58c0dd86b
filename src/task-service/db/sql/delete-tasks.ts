import { sqlOp } from '../statement';

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
