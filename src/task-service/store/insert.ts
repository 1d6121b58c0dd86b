import { ServiceError } from '../../shared/errors';
import { isTerminal, type Task, type TaskError, type TaskState } from '../../shared/task';
import type { Db } from '../db/statement';
import { findByDedupeKey, findBySpawnKey } from '../db/sql/find-existing';
import { selectWaiters } from '../db/sql/relatives';
import { selectTaskState } from '../db/sql/select-task';
import { noteState } from './counts';
import { describeCycle, findWaitCycle } from './cycles';
import { newId } from './ids';
import { writeNewRow, type NewRows, type NewTaskRow } from './new-rows';
import { rowToTask } from './rows';
import type { Created } from './types';

/**
 * The one way a task row is born, shared by create, createGraph and spawn. Runs inside the
 * caller's transaction. Idempotency first (spawn key, then dedupe key), then parent and
 * dependency checks, then the row, its edges and its 'created' journal entry.
 */

export const DEFAULT_MAX_ATTEMPTS = 3;

/** A validated task to insert; `dependsOn` holds existing task ids. */
export interface TaskSpec {
  type: string;
  input: unknown;
  title?: string | undefined;
  priority?: number | undefined;
  runAt?: number | undefined;
  parentId?: string | undefined;
  dedupeKey?: string | undefined;
  maxAttempts?: number | undefined;
  dependsOn?: readonly string[] | undefined;
  spawnKey?: string | undefined;
}

/** How a refused cycle names the new task and existing ids (a graph names its own nodes by key). */
export interface CycleNames {
  self?: string | undefined;
  of?: ((id: string) => string) | undefined;
}

/**
 * `dependsOn` overrides spec.dependsOn (graph nodes name keys there; the caller resolved them).
 * With `rows`, the new rows are held there for a multi-row write (new-rows.ts), which is flushed
 * first whenever this task's checks read the database.
 */
export function insertNew(
  db: Db,
  spec: TaskSpec,
  now: number,
  dependsOn: readonly string[] | undefined = spec.dependsOn,
  names: CycleNames = {},
  rows?: NewRows,
): Created {
  if (rows && (spec.parentId !== undefined || spec.dedupeKey !== undefined || (dependsOn !== undefined && dependsOn.length > 0))) rows.flush(db);
  if (spec.spawnKey !== undefined && spec.parentId !== undefined) {
    const row = findBySpawnKey(db).get(spec.parentId, spec.spawnKey);
    if (row) return { task: rowToTask(row), deduplicated: true };
  }
  if (spec.dedupeKey !== undefined) {
    const row = findByDedupeKey(db).get(spec.dedupeKey);
    if (row) return { task: rowToTask(row), deduplicated: true };
  }
  if (spec.parentId !== undefined) {
    const parent = selectTaskState(db).get(spec.parentId);
    if (!parent) throw new ServiceError('NOT_FOUND', `Parent task ${spec.parentId} does not exist`, { parentId: spec.parentId });
    if (isTerminal(parent.state as TaskState))
      throw new ServiceError('CONFLICT', `Parent task ${spec.parentId} is ${parent.state}; a finished task cannot get new children`, {
        parentId: spec.parentId,
        state: parent.state,
      });
  }

  const deps = dependsOn === undefined || dependsOn.length === 0 ? [] : [...new Set(dependsOn)].sort();
  let state: TaskState = 'queued';
  let error: TaskError | null = null;
  const missing: string[] = [];
  for (const depId of deps) {
    const dep = selectTaskState(db).get(depId);
    if (!dep) missing.push(depId);
    else if (dep.state === 'failed' || dep.state === 'cancelled') {
      // Like WorkManager: work that depends on already-failed work starts cancelled, with the reason.
      if (error === null) error = { code: 'DEPENDENCY_FAILED', message: `Dependency ${depId} is ${dep.state}`, retryable: false };
      state = 'cancelled';
    } else if (dep.state !== 'completed' && state === 'queued') state = 'blocked';
  }
  if (missing.length > 0) {
    throw new ServiceError('NOT_FOUND', `Unknown dependency ${missing.length === 1 ? 'id' : 'ids'}: ${missing.join(', ')}`, { missing });
  }
  if (spec.parentId !== undefined && deps.length > 0) refuseWaitCycle(db, spec.parentId, deps, { self: names.self ?? spec.spawnKey, of: names.of });

  const id = newId();
  const inputJson = JSON.stringify(spec.input === undefined ? null : spec.input);
  const finishedAt = isTerminal(state) ? now : null;
  const task: Task = {
    id,
    type: spec.type,
    title: spec.title ?? spec.type,
    state,
    priority: spec.priority ?? 0,
    parentId: spec.parentId ?? null,
    spawnKey: spec.spawnKey ?? null,
    dependsOn: deps,
    // Validated input is plain JSON (jsonProblem refuses undefined, NaN, class instances), so it
    // equals what a read returns; no need to parse it back.
    input: spec.input === undefined ? null : spec.input,
    result: null,
    error,
    progress: null,
    attempt: 0,
    runs: 0,
    maxAttempts: spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    runAt: spec.runAt ?? now,
    dedupeKey: spec.dedupeKey ?? null,
    createdAt: now,
    startedAt: null,
    finishedAt,
    updatedAt: now,
  };
  noteState(db, task.type, null, state);
  const data = error === null ? null : JSON.stringify({ error });
  const row: NewTaskRow = {
    id,
    type: task.type,
    title: task.title,
    state,
    priority: task.priority,
    parentId: task.parentId,
    spawnKey: task.spawnKey,
    input: inputJson,
    error: error === null ? null : JSON.stringify(error),
    maxAttempts: task.maxAttempts,
    runAt: task.runAt,
    dedupeKey: task.dedupeKey,
    now,
    finishedAt,
    deps,
    eventData: data,
  };
  if (rows) rows.add(row);
  else writeNewRow(db, row);
  return { task, deduplicated: false };
}

/**
 * The parent waits for its new child, so a dependency that itself waits for the parent (the
 * parent, an ancestor, or anything blocked on one) would deadlock the tree: refused as a cycle.
 */
function refuseWaitCycle(db: Db, parentId: string, deps: readonly string[], names: CycleNames): void {
  const steps = findWaitCycle(parentId, new Set(deps), (id) => selectWaiters(db).all(id, id));
  if (steps === null) return;
  const self = names.self ?? '(new task)';
  const nameOf = names.of ?? ((id: string) => id);
  const cycle = [self, ...steps.map((s) => nameOf(s.id)), self];
  const parents = steps.filter((s) => s.as === 'child').map((s) => nameOf(s.id));
  const why = `${parents.join(', ')} ${parents.length === 1 ? 'waits for its' : 'wait for their'} children`;
  throw new ServiceError(
    'DEPENDENCY_CYCLE',
    `Dependency cycle: ${describeCycle(cycle)} (${why}). A task cannot depend on its parent, an ancestor, or work that waits for one; remove that dependency.`,
    { cycle, parentId },
  );
}
