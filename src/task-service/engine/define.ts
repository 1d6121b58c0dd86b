import type { z } from 'zod';
import type { ErrorCode } from '../../shared/errors';
import type { SpawnRequest } from '../../shared/schemas';
import type { Task, TaskProgress } from '../../shared/task';

/**
 * What a task type is: its input schema, limits and handler. A handler receives a TaskContext
 * and returns a JSON result; throwing a PermanentError marks the failure as not retryable,
 * any other error is retried with backoff until maxAttempts.
 */

/** Why a handler's signal was aborted: `signal.reason` is a TaskAbort carrying one of these. */
export type AbortKind = 'cancel' | 'pause' | 'timeout' | 'shutdown';

export class TaskAbort extends Error {
  override readonly name = 'TaskAbort';
  constructor(readonly kind: AbortKind, message: string = `Task ${kind}`) {
    super(message);
  }
}

/** A failure that another attempt cannot fix (bad input, 404, a refused path...). */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(readonly code: ErrorCode | string, message: string) {
    super(message);
  }
}

/** A failure worth retrying, with a code that says what went wrong. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  constructor(readonly code: ErrorCode | string, message: string) {
    super(message);
  }
}

/** What a handler sees while it runs. */
export interface TaskContext<I = unknown, C = unknown> {
  readonly input: I;
  readonly task: Task;
  /**
   * The try number: failed attempts so far + 1 (1 for the first try). A pause, a crash or a
   * shutdown does not move it on, so two runs can share it: key side effects by `run`.
   */
  readonly attempt: number;
  /** This run's number over the task's life (1 for the first); unique per run, never reset. */
  readonly run: number;
  readonly signal: AbortSignal;
  /** The last durable checkpoint, or null on a fresh start. */
  readonly checkpoint: C | null;
  /** Resolves once the checkpoint is durable in SQLite. */
  saveCheckpoint(state: C): Promise<void>;
  /** Any rate; coalesced by the engine. */
  progress(p: Partial<TaskProgress>): void;
  /** Idempotent by each child's `key`; returns the children (existing or new). */
  spawn(children: SpawnRequest[]): Promise<Task[]>;
  /** Journaled as a 'log' event (e.g. a tool's stderr), best effort. */
  log(message: string): void;
  /** Retitles this task (journaled, pushed to watchers), e.g. once a playlist's name is known. */
  setTitle(title: string): Promise<void>;
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  factor?: number;
}

/** A task type definition; create with defineTask. */
export interface TaskDefinition<S extends z.ZodType = z.ZodType, C = unknown> {
  type: string;
  input: S;
  /** Per-type concurrency limit (default: the global limit). */
  concurrency?: number;
  maxAttempts?: number;
  backoff?: BackoffOptions;
  timeoutMs?: number;
  /**
   * Needs the network (like WorkManager's network constraint): while the host reports offline,
   * tasks of this type stay `queued` ("waiting for network") instead of running, and a run that
   * fails with NETWORK during an outage is given back, not counted as a failed attempt.
   */
  requiresNetwork?: boolean;
  /**
   * Permanent child failures with these codes do not fail this parent: the child stays failed
   * (and shows), the parent completes once the rest did. A playlist entry that is private or
   * deleted must not fail its whole import.
   */
  toleratedChildErrors?: readonly ErrorCode[];
  /** 'worker': the handler runs on a worker thread; `module` must export this definition. */
  runIn?: 'main' | 'worker';
  /** Module URL/path that exports this definition (required for runIn 'worker'). */
  module?: string;
  run(ctx: TaskContext<z.infer<S>, C>): Promise<unknown>;
}

export function defineTask<S extends z.ZodType, C = unknown>(def: TaskDefinition<S, C>): TaskDefinition<S, C> {
  return def;
}
