import { jsonProblem, spawnRequest, type SpawnRequest } from '../../src/shared/schemas';
import type { Task, TaskProgress } from '../../src/shared/task';
import { TaskAbort, type AbortKind, type TaskContext, type TaskDefinition } from '../../src/task-service/engine/define';

/**
 * A real, small stand-in for the engine's side of TaskContext, for running one definition's
 * handler directly: checkpoints go through a JSON round trip (as they would through SQLite),
 * spawn requests are validated against the shared schema and deduplicated by key, and the
 * abort signal is ours to fire. A harness outlives runs, so "run again after a crash" means
 * calling `run` again with the same harness.
 */

export interface TaskHarness<C> {
  /** The last saved checkpoint, as the next run will see it. */
  checkpoint: C | null;
  /** Every checkpoint saved, in order. */
  readonly saved: C[];
  readonly progress: Array<Partial<TaskProgress>>;
  readonly logs: string[];
  /** Every title the handler set, in order. */
  readonly titles: string[];
  /** Spawned children by key (what the engine would hold), and every spawn call as made. */
  readonly children: Map<string, Task>;
  readonly spawnCalls: SpawnRequest[][];
  /** Called with every checkpoint as it is saved (e.g. to check what the disk holds then). */
  onCheckpoint: ((c: C) => void) | null;
  /** Called on every progress report (e.g. to abort at a chosen point). */
  onProgress: ((p: Partial<TaskProgress>) => void) | null;
  /** Aborts the current run with a TaskAbort of this kind. */
  abort(kind: AbortKind): void;
  /** Runs the handler once with a fresh signal; `attempt` counts up across runs. */
  run(def: TaskDefinition, input: unknown): Promise<unknown>;
  /** Like run, but resolves to the thrown error (and fails if the run succeeded). */
  runExpectingError(def: TaskDefinition, input: unknown): Promise<unknown>;
}

let counter = 0;

function fakeTask(fields: Partial<Task>): Task {
  const now = Date.now();
  return {
    id: `t${++counter}`, type: 'test', title: '', state: 'running', priority: 0, parentId: null, spawnKey: null,
    dependsOn: [], input: null, result: null, error: null, progress: null, attempt: 0, runs: 1, maxAttempts: 3,
    runAt: now, dedupeKey: null, createdAt: now, startedAt: now, finishedAt: null, updatedAt: now,
    ...fields,
  };
}

export function createTaskHarness<C = unknown>(initial: C | null = null): TaskHarness<C> {
  let controller = new AbortController();
  let attempt = 0;
  const h: TaskHarness<C> = {
    checkpoint: initial,
    saved: [],
    progress: [],
    logs: [],
    titles: [],
    children: new Map(),
    spawnCalls: [],
    onProgress: null,
    onCheckpoint: null,
    abort: (kind) => controller.abort(new TaskAbort(kind)),
    run: async (def, rawInput) => {
      controller = new AbortController();
      attempt += 1;
      // The engine validates input with the type's schema before a handler sees it.
      const input = def.input.parse(rawInput);
      // Every harness run is a new run; the harness does not judge failures, so the try number follows it.
      const self = fakeTask({ type: def.type, input, attempt: attempt - 1, runs: attempt });
      const ctx: TaskContext<unknown, C> = {
        input,
        task: self,
        attempt,
        run: attempt,
        signal: controller.signal,
        checkpoint: h.checkpoint === null ? null : (JSON.parse(JSON.stringify(h.checkpoint)) as C),
        saveCheckpoint: async (state) => {
          const problem = jsonProblem(state);
          if (problem) throw new Error(`checkpoint ${problem}`);
          const stored = JSON.parse(JSON.stringify(state)) as C;
          h.onCheckpoint?.(stored);
          h.checkpoint = stored;
          h.saved.push(stored);
        },
        progress: (p) => {
          h.progress.push(p);
          h.onProgress?.(p);
        },
        spawn: async (requests) => {
          const parsed = requests.map((r) => spawnRequest.parse(r));
          h.spawnCalls.push(parsed);
          return parsed.map((r) => {
            const existing = h.children.get(r.key);
            if (existing) return existing;
            const child = fakeTask({ type: r.type, title: r.title ?? r.type, input: r.input, parentId: self.id, spawnKey: r.key, dedupeKey: r.dedupeKey ?? null, state: 'queued', startedAt: null });
            h.children.set(r.key, child);
            return child;
          });
        },
        log: (m) => void h.logs.push(m),
        setTitle: async (title) => void h.titles.push(title),
      };
      return (def as TaskDefinition<typeof def.input, C>).run(ctx);
    },
    runExpectingError: async (def, input) => {
      try {
        await h.run(def, input);
      } catch (e) {
        return e;
      }
      throw new Error('expected the run to fail, but it succeeded');
    },
  };
  return h;
}
