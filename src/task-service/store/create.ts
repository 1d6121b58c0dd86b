import { z } from 'zod';
import { ServiceError } from '../../shared/errors';
import { createGraphRequest, createTaskRequest, LIMITS, spawnRequest, type CreateGraphRequest, type CreateTaskRequest, type SpawnRequest } from '../../shared/schemas';
import type { TaskState } from '../../shared/task';
import type { Db } from '../db/statement';
import { selectDepIds } from '../db/sql/relatives';
import { selectTaskState } from '../db/sql/select-task';
import { describeCycle, orderOrCycle } from './cycles';
import { insertNew } from './insert';
import { NewRows } from './new-rows';
import type { Created, NewTask } from './types';
import { parseWith } from '../../shared/validate';

/** The three creation entry points; each validates its raw request and runs in the caller's transaction. */

const spawnKeySchema = z.string().min(1).max(LIMITS.keyChars);
const spawnBatch = z.array(spawnRequest).min(1).max(LIMITS.graphTasks);

/** `validated`: the caller parsed `req` with createTaskRequest already (see TaskStore.create). */
export function createOne(db: Db, req: NewTask, now: number, validated = false): Created {
  if (req === null || typeof req !== 'object') throw new ServiceError('BAD_INPUT', 'Invalid task: expected an object');
  const { spawnKey, ...rest } = req;
  const parsed = validated ? (rest as CreateTaskRequest) : parseWith(createTaskRequest, rest, 'task');
  const key = spawnKey === undefined ? undefined : parseWith(spawnKeySchema, spawnKey, 'spawnKey');
  // Nothing can depend on a task before it exists, so a single new task closes a cycle only
  // through its parent, which waits for it; insertNew refuses that.
  return insertNew(db, { ...parsed, spawnKey: key }, now);
}

/** A graph node is a batch index (number) or an existing task id (string). */
type Node = number | string;

/** A node without dependencies: one shared empty edge list, not one array per node. */
const NO_EDGES: readonly Node[] = [];
const NO_DEPS: readonly string[] = [];

export function createGraph(db: Db, raw: CreateGraphRequest, now: number, validated = false): Created[] {
  const req = validated ? raw : parseWith(createGraphRequest, raw, 'graph');
  const byKey = new Map<string, number>();
  req.tasks.forEach((t, i) => {
    if (byKey.has(t.key)) throw new ServiceError('BAD_INPUT', `Invalid graph: tasks.${i}.key: duplicate key "${t.key}"`, { key: t.key });
    byKey.set(t.key, i);
  });

  // References resolve to batch keys first, then to existing ids (a key shadows an equal id).
  const missing: string[] = [];
  const resolve = (ref: string): Node => {
    const i = byKey.get(ref);
    if (i !== undefined) return i;
    if (!selectTaskState(db).get(ref)) missing.push(ref);
    return ref;
  };
  const edges: (readonly Node[])[] = req.tasks.map((t) => (t.dependsOn === undefined || t.dependsOn.length === 0 ? NO_EDGES : t.dependsOn.map(resolve)));
  if (missing.length > 0) {
    const unique = [...new Set(missing)];
    throw new ServiceError('NOT_FOUND', `Unknown dependency ${unique.length === 1 ? 'id' : 'ids'} (neither a key of this graph nor a task): ${unique.join(', ')}`, { missing: unique });
  }

  // Existing dependency edges are followed too; `done` bounds the walk to each task once. Cycles
  // through a parent (an existing task that waits for its new child) are found by insertNew as
  // each node is inserted: the last node of such a cycle sees every other member in the database.
  const next = (n: Node): readonly Node[] =>
    typeof n === 'number' ? edges[n]! : selectDepIds(db).all(n).map((r) => r.depends_on_id);
  // Nothing to order when no node depends on anything (a plain batch): creation order as given.
  const result = edges.every((e) => e === NO_EDGES) ? { order: edges.map((_, i) => i), cycle: null } : orderOrCycle<Node>(req.tasks.map((_, i) => i), next);
  if (result.cycle !== null) {
    const names = result.cycle.map((n) => (typeof n === 'number' ? req.tasks[n]!.key : n));
    throw new ServiceError('DEPENDENCY_CYCLE', `Dependency cycle: ${describeCycle(names)}. Remove one of these dependencies.`, { cycle: names });
  }

  const created: Created[] = new Array(req.tasks.length);
  const keyOfId = new Map<string, string>(); // a refused cycle names this batch's nodes by key
  // One object, its `self` set per node: insertNew reads it only while refusing that node.
  const names: { of: (id: string) => string; self?: string } = { of: (id: string) => keyOfId.get(id) ?? id };
  const rows = new NewRows();
  for (const n of result.order) {
    if (typeof n !== 'number') continue;
    // A GraphNode is a TaskSpec once its references are ids; insertNew ignores `key`.
    const node = req.tasks[n]!;
    const dependsOn = edges[n] === NO_EDGES ? NO_DEPS : edges[n]!.map((d) => (typeof d === 'number' ? created[d]!.task.id : d));
    names.self = node.key;
    created[n] = insertNew(db, node, now, dependsOn, names, rows);
    keyOfId.set(created[n].task.id, node.key);
  }
  rows.flush(db);
  return created;
}

export function spawnChildren(db: Db, parentId: string, raw: SpawnRequest[], now: number): Created[] {
  const children = parseWith(spawnBatch, raw, 'spawn');
  const parent = selectTaskState(db).get(parentId);
  if (!parent) throw new ServiceError('NOT_FOUND', `Parent task ${parentId} does not exist`, { parentId });
  if ((parent.state as TaskState) !== 'running')
    throw new ServiceError('CONFLICT', `Task ${parentId} is ${parent.state}; only a running task can spawn children`, { parentId, state: parent.state });
  return children.map((c, i) => {
    if (c.parentId !== undefined && c.parentId !== parentId)
      throw new ServiceError('BAD_INPUT', `Invalid spawn: ${i}.parentId: must be the spawning task ${parentId} or absent`);
    const { key, ...fields } = c;
    return insertNew(db, { ...fields, parentId, spawnKey: key }, now);
  });
}
