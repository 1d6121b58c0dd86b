import type { EventRow } from '../db/sql/events';
import type { TaskRow } from '../db/sql/task-row';
import type { Task, TaskError, TaskEvent, TaskEventKind, TaskProgress, TaskState } from '../../shared/task';

/** Row <-> model mapping. JSON columns are TEXT; absent optional values are SQL NULL. */

function parseOrNull<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * Runs vs failed attempts, derived from two counters (no migration): the `attempt` column counts
 * runs (+1 per claim, never reset, so a handler can key side effects on it), and
 * `refunded_attempts` counts the runs that ended without failing (success, pause, cancel,
 * shutdown, crash recovery, a network outage; see transition.ts). A run still going has not
 * failed yet, so it is not counted either.
 */
export function failedAttemptsOf(r: Pick<TaskRow, 'attempt' | 'refunded_attempts' | 'state'>): number {
  return Math.max(0, r.attempt - r.refunded_attempts - (r.state === 'running' ? 1 : 0));
}

/** A row whose `deps` is either the JSON array TASK_COLUMNS gathers or ids read separately (claim). */
export type RowWithDeps = Omit<TaskRow, 'deps'> & { deps: string | string[] };

export function rowToTask(r: RowWithDeps): Task {
  return {
    id: r.id,
    type: r.type,
    title: r.title,
    state: r.state as TaskState,
    priority: r.priority,
    parentId: r.parent_id,
    spawnKey: r.spawn_key,
    dependsOn: typeof r.deps === 'string' ? (JSON.parse(r.deps) as string[]) : r.deps,
    input: JSON.parse(r.input) as unknown,
    result: parseOrNull<unknown>(r.result),
    error: parseOrNull<TaskError>(r.error),
    progress: parseOrNull<TaskProgress>(r.progress),
    attempt: failedAttemptsOf(r),
    runs: r.attempt,
    maxAttempts: r.max_attempts,
    runAt: r.run_at,
    dedupeKey: r.dedupe_key,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    updatedAt: r.updated_at,
  };
}

export function rowToEvent(r: EventRow): TaskEvent {
  return {
    seq: r.seq,
    taskId: r.task_id,
    kind: r.kind as TaskEventKind,
    from: r.from_state as TaskState | null,
    to: r.to_state as TaskState | null,
    data: parseOrNull<unknown>(r.data),
    at: r.at,
  };
}
