import { sqlOp } from '../statement';
import { taskRowOp } from '../task-row-stmt';
import { LIVE_STATE_SQL, TASK_COLUMNS } from './task-row';

/** Running tasks under another boot's lease (crash recovery); served by tasks_live_state. Params: [bootId]. */
export const selectOrphans = taskRowOp<[string]>(
  `SELECT ${TASK_COLUMNS} FROM tasks t INDEXED BY tasks_live_state
   WHERE t.${LIVE_STATE_SQL} AND t.state = 'running' AND (t.lease_owner IS NULL OR t.lease_owner != ?) ORDER BY t.id`,
);
