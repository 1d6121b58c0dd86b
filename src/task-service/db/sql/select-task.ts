import { sqlOp } from '../statement';
import { taskRowOp } from '../task-row-stmt';
import { TASK_COLUMNS } from './task-row';

/** One task by id. Params: [id]. */
export const selectTask = taskRowOp<[string]>(`SELECT ${TASK_COLUMNS} FROM tasks t WHERE t.id = ?`);

/** Just the state (dependency checks). Params: [id]. */
export const selectTaskState = sqlOp<[string], { state: string; parent_id: string | null }>(
  'SELECT state, parent_id FROM tasks WHERE id = ?',
);
