import { sqlOp } from '../statement';

/** Latest progress (not journaled: progress is not history). Params: [progressJson, updatedAt, id]. */
export const updateProgress = sqlOp<[string, number, string]>('UPDATE tasks SET progress = ?, updated_at = ? WHERE id = ?');

/** Durable checkpoint. Params: [checkpointJson, updatedAt, id]. */
export const updateCheckpoint = sqlOp<[string, number, string]>('UPDATE tasks SET checkpoint = ?, updated_at = ? WHERE id = ?');

/** Params of the guarded run-data writes: the task is running under `lease`, or is in `or_state`. */
export interface GuardedWrite {
  id: string;
  json: string;
  now: number;
  lease: string | null;
  or_state: string | null;
}

/**
 * A run's progress, only while the run still holds the task (RunGuard); changes = 0 otherwise.
 * A null lease or or_state matches nothing (`= NULL` is never true). Progress that differs from
 * the stored value clears the crash-recovery count: CRASH_LOOP counts only recoveries with no
 * progress between them (the SET expressions all read the old row). Params: GuardedWrite.
 */
export const updateProgressGuarded = sqlOp<[GuardedWrite]>(
  `UPDATE tasks SET recoveries = CASE WHEN progress IS @json THEN recoveries ELSE 0 END, progress = @json, updated_at = @now
   WHERE id = @id AND ((state = 'running' AND lease_owner = @lease) OR state = @or_state)`,
);

/** A run's checkpoint, under the same guard (and recovery reset) as updateProgressGuarded. Params: GuardedWrite. */
export const updateCheckpointGuarded = sqlOp<[GuardedWrite]>(
  `UPDATE tasks SET recoveries = CASE WHEN checkpoint IS @json THEN recoveries ELSE 0 END, checkpoint = @json, updated_at = @now
   WHERE id = @id AND ((state = 'running' AND lease_owner = @lease) OR state = @or_state)`,
);

/** Params: [id]. */
export const selectCheckpoint = sqlOp<[string], { checkpoint: string | null }>('SELECT checkpoint FROM tasks WHERE id = ?');

/** Params: [id]. */
export const selectRecoveries = sqlOp<[string], { recoveries: number }>('SELECT recoveries FROM tasks WHERE id = ?');
