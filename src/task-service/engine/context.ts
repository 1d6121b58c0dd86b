import type { SpawnRequest } from '../../shared/schemas';
import type { Task, TaskProgress } from '../../shared/task';
import type { TaskContext } from './define';

/** What the engine gives each execution, whether the handler runs here or on a worker. */
export interface ExecutionPorts {
  progress(p: Partial<TaskProgress>): void;
  saveCheckpoint(state: unknown): Promise<void>;
  spawn(children: SpawnRequest[]): Promise<Task[]>;
  log(message: string): void;
}

/** Builds the ctx a main-thread handler sees. */
export function makeContext(task: Task, input: unknown, checkpoint: unknown, signal: AbortSignal, ports: ExecutionPorts): TaskContext {
  return {
    input,
    task,
    attempt: task.attempt,
    signal,
    checkpoint: checkpoint ?? null,
    saveCheckpoint: (state) => ports.saveCheckpoint(state),
    progress: (p) => ports.progress(p),
    spawn: (children) => ports.spawn(children),
    log: (m) => ports.log(m),
  };
}
