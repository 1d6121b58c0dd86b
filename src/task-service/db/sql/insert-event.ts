import { sqlOp } from '../statement';

/**
 * One journal entry. Its global seq is one past both the newest event and the floor left by
 * deleted events (migration 007), so a seq is never handed out twice.
 */
const INSERT_EVENT = `INSERT INTO task_events (seq, task_id, kind, from_state, to_state, data, at)
   VALUES (max(coalesce((SELECT max(seq) FROM task_events), 0), (SELECT seq FROM task_events_floor)) + 1, ?, ?, ?, ?, ?, ?)`;

/** Appends one journal entry and returns its seq. Params: [taskId, kind, from, to, dataJson, at]. */
export const insertEvent = sqlOp<[string, string, string | null, string | null, string | null, number], { seq: number }>(`${INSERT_EVENT} RETURNING seq`);

/**
 * insertEvent for a caller that does not need the seq (a create, a claim): the same row, without
 * RETURNING, which cost about 2 us of the 8 us of each insert. Params: as insertEvent.
 */
export const appendEvent = sqlOp<[string, string, string | null, string | null, string | null, number]>(INSERT_EVENT);

/**
 * Raises the floor to the newest seq. Run before any statement that deletes events, so that
 * deleting the newest ones cannot make the next insert reuse their numbers. Writes only when the
 * floor moves. No params.
 */
export const raiseEventFloor = sqlOp<[]>(
  'UPDATE task_events_floor SET seq = (SELECT max(seq) FROM task_events) WHERE seq < (SELECT max(seq) FROM task_events)',
);
