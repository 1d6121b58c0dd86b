import { sqlOp } from '../statement';

/** Every column a transition may change, already computed. */
export interface UpdateStateParams {
  id: string;
  /** Guard: the state the transition was checked against. */
  from: string;
  state: string;
  attempt: number;
  lease_owner: string | null;
  error: string | null;
  result: string | null;
  run_at: number;
  recoveries: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

/**
 * The state write of a transition. Guarded by `state = @from` so a stale caller changes
 * nothing (changes = 0) instead of overwriting a concurrent transition. Params: UpdateStateParams.
 */
export const updateState = sqlOp<[UpdateStateParams]>(
  `UPDATE tasks SET state = @state, attempt = @attempt, lease_owner = @lease_owner, error = @error,
     result = @result, run_at = @run_at, recoveries = @recoveries, started_at = @started_at,
     finished_at = @finished_at, updated_at = @updated_at
   WHERE id = @id AND state = @from`,
);
