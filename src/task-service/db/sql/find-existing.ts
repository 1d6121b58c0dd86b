import { sqlOp } from '../statement';
import { taskRowOp } from '../task-row-stmt';
import { TASK_COLUMNS, TERMINAL_SQL } from './task-row';

/** The live (non-terminal) task holding a dedupe key; served by tasks_dedupe. Params: [dedupeKey]. */
export const findByDedupeKey = taskRowOp<[string]>(
  `SELECT ${TASK_COLUMNS} FROM tasks t WHERE t.dedupe_key = ? AND t.state NOT IN ${TERMINAL_SQL}`,
);

/** The child a parent already spawned under a key; served by tasks_spawn_key. Params: [parentId, spawnKey]. */
export const findBySpawnKey = taskRowOp<[string, string]>(
  `SELECT ${TASK_COLUMNS} FROM tasks t WHERE t.parent_id = ? AND t.spawn_key = ?`,
);
