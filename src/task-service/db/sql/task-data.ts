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
 * A null lease or or_state matches nothing (`= NULL` is never true). Params: GuardedWrite.
 */
export const updateProgressGuarded = sqlOp<[GuardedWrite]>(
  `UPDATE tasks SET progress = @json, updated_at = @now
   WHERE id = @id AND ((state = 'running' AND lease_owner = @lease) OR state = @or_state)`,
);

/** A run's checkpoint, under the same guard as updateProgressGuarded. Params: GuardedWrite. */
export const updateCheckpointGuarded = sqlOp<[GuardedWrite]>(
  `UPDATE tasks SET checkpoint = @json, updated_at = @now
   WHERE id = @id AND ((state = 'running' AND lease_owner = @lease) OR state = @or_state)`,
);

/** Params: [id]. */
export const selectCheckpoint = sqlOp<[string], { checkpoint: string | null }>('SELECT checkpoint FROM tasks WHERE id = ?');

/** Params: [id]. */
export const selectRecoveries = sqlOp<[string], { recoveries: number }>('SELECT recoveries FROM tasks WHERE id = ?');
