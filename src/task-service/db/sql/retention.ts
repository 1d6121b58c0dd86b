import { sqlOp } from '../statement';
import { TERMINAL_SQL } from './task-row';

/** Terminal root tasks finished before a time, oldest first; served by tasks_finished_roots. Params: [before]. */
export const selectOldRoots = sqlOp<[number], { id: string }>(
  `SELECT id FROM tasks INDEXED BY tasks_finished_roots WHERE finished_at < ? AND parent_id IS NULL AND state IN ${TERMINAL_SQL} ORDER BY finished_at`,
);

/** Terminal root tasks beyond the newest `keep`, newest first; served by tasks_finished_roots. Params: [keep]. */
export const selectRootsBeyond = sqlOp<[number], { id: string }>(
  `SELECT id FROM tasks INDEXED BY tasks_finished_roots WHERE finished_at IS NOT NULL AND parent_id IS NULL AND state IN ${TERMINAL_SQL}
   ORDER BY finished_at DESC, id DESC LIMIT -1 OFFSET ?`,
);

/** 'removed' journal entries older than a time (their task is long gone); served by task_events_removed. Params: [before]. */
export const deleteOldRemovedEvents = sqlOp<[number]>("DELETE FROM task_events WHERE kind = 'removed' AND at < ?");
