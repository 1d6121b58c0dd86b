import { sqlOp } from '../statement';
import { TASK_COLUMNS, type TaskRow } from './task-row';

/** One task by id. Params: [id]. */
export const selectTask = sqlOp<[string], TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks t WHERE t.id = ?`);

/** Just the state (dependency checks). Params: [id]. */
export const selectTaskState = sqlOp<[string], { state: string; parent_id: string | null }>(
  'SELECT state, parent_id FROM tasks WHERE id = ?',
);
