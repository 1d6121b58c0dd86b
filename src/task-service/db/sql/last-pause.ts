import { sqlOp } from '../statement';

/**
 * The journal entry that paused a task last: the state it left (a paused parent that was
 * `waiting` goes back to waiting on resume, without re-running its handler) and the reason (a
 * child paused by its parent's pause is resumed with it; one the user paused stays paused).
 * Walks task_events_task backwards from the newest event. Params: [taskId].
 */
export const selectLastPause = sqlOp<[string], { from_state: string | null; data: string | null }>(
  `SELECT from_state, data FROM task_events INDEXED BY task_events_task
   WHERE task_id = ? AND kind = 'state' AND to_state = 'paused' ORDER BY seq DESC LIMIT 1`,
);
