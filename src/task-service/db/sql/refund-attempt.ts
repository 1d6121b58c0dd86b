import { sqlOp } from '../statement';

/**
 * Gives back the attempt a claim took, for a run that did not fail (success, cancel, pause,
 * graceful shutdown, crash recovery, a network outage): it must not use up maxAttempts. Crash
 * recoveries are bounded separately by the recoveries counter (CRASH_LOOP). Params: [id].
 */
export const refundAttempt = sqlOp<[string]>('UPDATE tasks SET refunded_attempts = refunded_attempts + 1 WHERE id = ?');

/**
 * An explicit retry starts the budget afresh: every run so far counts as refunded, so failed
 * attempts read 0 while `attempt` (the run count) keeps growing. Params: [id].
 */
export const forgiveAttempts = sqlOp<[string]>('UPDATE tasks SET refunded_attempts = attempt WHERE id = ?');

/** Params: [id]. */
export const selectRefunds = sqlOp<[string], { refunded: number }>('SELECT refunded_attempts AS refunded FROM tasks WHERE id = ?');
