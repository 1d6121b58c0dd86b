/**
 * The task model shared by every process: states, the Task and TaskEvent shapes, and the
 * change records pushed to watchers. Times are epoch milliseconds (plain JSON over the port).
 */

export const TASK_STATES = [
  'blocked', // dependencies unmet
  'queued', // ready; may wait for runAt (delay, retry backoff)
  'running', // claimed by a live handler under this boot's lease
  'waiting', // own work done, children not yet terminal
  'paused',
  'completed',
  'failed',
  'cancelled',
] as const;

/** A task's state: a closed union. */
export type TaskState = (typeof TASK_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set(['completed', 'failed', 'cancelled']);

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}

/** Why a task failed; `retryable` says whether another attempt could succeed. */
export interface TaskError {
  code: string;
  message: string;
  retryable: boolean;
}

/** The latest progress a handler reported. */
export interface TaskProgress {
  ratio: number | null;
  message: string | null;
  current: number | null;
  total: number | null;
}

/** One task as stored. */
export interface Task {
  id: string;
  type: string;
  title: string;
  state: TaskState;
  priority: number;
  parentId: string | null;
  spawnKey: string | null;
  dependsOn: string[];
  input: unknown;
  result: unknown;
  error: TaskError | null;
  progress: TaskProgress | null;
  /**
   * Failed attempts so far, counted against maxAttempts. Runs that ended without failing (pause,
   * graceful shutdown, crash recovery, a network outage, success) are not attempts; a user's retry
   * starts again from 0. During backoff before try n+1 this reads n and runAt is in the future.
   */
  attempt: number;
  /** Handler runs started over the task's whole life (1 once first claimed); never reset. */
  runs: number;
  maxAttempts: number;
  runAt: number;
  dedupeKey: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
}

export const TASK_EVENT_KINDS = [
  'created',
  'state',
  'checkpoint',
  'error',
  'removed',
  'title', // a handler retitled its task; data: {title}
  'log', // a line the task logged, e.g. a tool's stderr; data: {line}
] as const;

/** What a journal entry records. */
export type TaskEventKind = (typeof TASK_EVENT_KINDS)[number];

/** One append-only journal entry; `seq` is global and strictly increasing. */
export interface TaskEvent {
  seq: number;
  taskId: string;
  kind: TaskEventKind;
  from: TaskState | null;
  to: TaskState | null;
  /** Kind-specific detail: the error, the reason of a cancel, the checkpoint size... */
  data: unknown;
  at: number;
}

/** What watchers receive: a durable journal event with the task after it, or a progress tick. */
export type TaskChange =
  | { kind: 'event'; event: TaskEvent; task: Task | null }
  | { kind: 'progress'; taskId: string; progress: TaskProgress; at: number };

/**
 * What tasks.watch yields: the changes, preceded on a fresh subscription by the journal
 * position it starts from, so a client that sees no event before a disconnect still has an id
 * to resume from.
 */
export type WatchChange = TaskChange | { kind: 'sync'; seq: number };

/** One page of a keyset-paginated listing. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
