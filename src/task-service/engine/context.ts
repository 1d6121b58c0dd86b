import type { SpawnRequest } from '../../shared/schemas';
import type { Task, TaskProgress } from '../../shared/task';
import type { TaskContext } from './define';

/** What the engine gives each execution, whether the handler runs here or on a worker. */
export interface ExecutionPorts {
  progress(p: Partial<TaskProgress>): void;
  saveCheckpoint(state: unknown): Promise<void>;
  spawn(children: SpawnRequest[]): Promise<Task[]>;
  log(message: string): void;
  setTitle(title: string): Promise<void>;
}

/**
 * Builds the ctx a handler sees. `checkpoint` may be a loader: the stored checkpoint is read on
 * first use (most runs never look at it, and a read per claimed task is measurable at thousands
 * of tasks a second) and is the value as of the start of the run, even after saveCheckpoint.
 */
export function makeContext(task: Task, input: unknown, checkpoint: unknown, signal: AbortSignal, ports: ExecutionPorts, loadCheckpoint?: () => unknown): TaskContext {
  let loaded = loadCheckpoint === undefined;
  let value: unknown = checkpoint ?? null;
  const current = (): unknown => {
    if (!loaded) {
      value = loadCheckpoint!() ?? null;
      loaded = true;
    }
    return value;
  };
  return {
    input,
    task,
    attempt: task.attempt + 1,
    run: task.runs,
    signal,
    get checkpoint() {
      return current();
    },
    saveCheckpoint: (state) => {
      current(); // pin the run's starting value before it is overwritten
      return ports.saveCheckpoint(state);
    },
    progress: (p) => ports.progress(p),
    spawn: (children) => ports.spawn(children),
    log: (m) => ports.log(m),
    setTitle: (title) => ports.setTitle(title),
  };
}
