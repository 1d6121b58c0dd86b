import { sqlOp } from '../statement';
import { TASK_COLUMNS, type TaskRow } from './task-row';

/** Running tasks under another boot's lease (crash recovery); served by tasks_state_id. Params: [bootId]. */
export const selectOrphans = sqlOp<[string], TaskRow>(
  `SELECT ${TASK_COLUMNS} FROM tasks t WHERE t.state = 'running' AND (t.lease_owner IS NULL OR t.lease_owner != ?) ORDER BY t.id`,
);

/** Counts by type and state. No params. */
export const selectCounts = sqlOp<[], { type: string; state: string; n: number }>(
  'SELECT type, state, count(*) AS n FROM tasks GROUP BY type, state',
);
