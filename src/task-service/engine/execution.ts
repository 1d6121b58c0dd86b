import type { Task } from '../../shared/task';
import type { TimerHandle } from './clock';
import type { AbortKind } from './define';
import type { ThrownInfo } from './abort';

/**
 * One run of one task's handler. `detached` means the engine has already decided the task's
 * fate (cancel, pause, timeout, shutdown) and ignores whatever the handler does from now on;
 * the concurrency slot is still held until the handler really settles, and a new run of the
 * same task waits for it, so one task never runs twice at the same time.
 */
export interface Execution {
  task: Task;
  controller: AbortController;
  detached: boolean;
  timeout: TimerHandle | null;
  /** Settles (never rejects) when the handler has returned or thrown. */
  done: Promise<void>;
}

/** How a handler ended. `abort` is the kind its signal carried, if it was aborted. */
export type Outcome = { ok: true; result: unknown } | { ok: false; info: ThrownInfo; abort: AbortKind | null };

/** An outcome waiting to be written (group commit). */
export interface Settle {
  task: Task;
  outcome: Outcome;
  /** The run that produced it; it leaves the running set once the outcome is committed. */
  exec?: Execution;
}
