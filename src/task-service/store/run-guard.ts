import { ServiceError } from '../../shared/errors';
import type { Db } from '../db/statement';
import { selectTask } from '../db/sql/select-task';
import type { TaskRow } from '../db/sql/task-row';
import type { RunGuard } from './types';

/**
 * Why a run's write was refused (single owner, see RunGuard). Called after a guarded write
 * changed nothing, in the same transaction, so the row read here is the one that refused it:
 * another boot's lease means this process was taken over (SERVICE_LOCKED); anything else means
 * the run's task moved on (CONFLICT).
 */
export function runRefusal(db: Db, id: string, guard: RunGuard, what: string): ServiceError {
  const row = selectTask(db).get(id);
  if (!row) return new ServiceError('NOT_FOUND', `Task ${id} does not exist`, { id });
  return leaseRefusal(row, guard.leaseOwner, what);
}

/** The refusal for a row that is not running under `lease`. */
export function leaseRefusal(row: TaskRow, lease: string | null, what: string): ServiceError {
  if (row.state === 'running' && row.lease_owner !== null && row.lease_owner !== lease)
    return new ServiceError(
      'SERVICE_LOCKED',
      `Task ${row.id} is running under another task service (boot ${row.lease_owner}); ${what} from boot ${lease ?? '(none)'} was not written`,
      { taskId: row.id, leaseOwner: row.lease_owner },
    );
  return new ServiceError('CONFLICT', `Task ${row.id} is ${row.state} and no longer runs under this handler; ${what} was not written`, {
    taskId: row.id,
    state: row.state,
  });
}
