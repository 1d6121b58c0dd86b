import { sqlOp } from '../statement';

/** Appends one journal entry and returns its global seq. Params: [taskId, kind, from, to, dataJson, at]. */
export const insertEvent = sqlOp<[string, string, string | null, string | null, string | null, number], { seq: number }>(
  'INSERT INTO task_events (task_id, kind, from_state, to_state, data, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq',
);
