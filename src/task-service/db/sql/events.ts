import { sqlOp } from '../statement';

/** A task_events row. */
export interface EventRow {
  seq: number;
  task_id: string;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  data: string | null;
  at: number;
}

const COLS = 'seq, task_id, kind, from_state, to_state, data, at';

/** A task's events after a seq, oldest first; served by task_events_task. Params: [taskId, afterSeq, limit]. */
export const selectTaskEvents = sqlOp<[string, number, number], EventRow>(
  `SELECT ${COLS} FROM task_events WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
);

/** All events after a seq (subscription resume); served by the primary key. Params: [afterSeq, limit]. */
export const selectEventsAfter = sqlOp<[number, number], EventRow>(
  `SELECT ${COLS} FROM task_events WHERE seq > ? ORDER BY seq LIMIT ?`,
);

/**
 * The last seq ever handed out: the newest event or, if the newest were deleted (retention,
 * removal), the floor they left (migration 007). max(seq) alone could go backwards, and a
 * resuming watcher would miss events. No params.
 */
export const selectLastSeq = sqlOp<[], { seq: number }>(
  'SELECT max(coalesce((SELECT max(seq) FROM task_events), 0), (SELECT seq FROM task_events_floor)) AS seq',
);
