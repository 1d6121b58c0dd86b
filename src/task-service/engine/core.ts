import { ServiceError } from '../../shared/errors';
import type { TaskError, TaskState } from '../../shared/task';
import type { TaskStore, TransitionResult } from '../store/types';
import type { Clock } from './clock';
import type { ProgressCoalescer } from './coalescer';
import type { DbGuard } from './db-guard';
import type { AbortKind } from './define';
import type { ConcurrencyLimiter } from './limiter';
import type { TaskRegistry } from './registry';
import type { WatchHub } from './watch';

/**
 * What the engine's parts share. The Engine (engine.ts) owns the state and composes the parts:
 * dispatch (claim + run handlers), outcomes (group commit), reactions (memory follows committed
 * changes: abort, drop progress, settle parents), settlement (parents and blocked tasks),
 * publisher (journal -> watchers), faults (degraded probe). Each part sees only this interface.
 */

export interface EngineOptions {
  store: TaskStore;
  registry: TaskRegistry;
  clock: Clock;
  random: () => number;
  bootId: string;
  concurrency: { global: number; perType?: Record<string, number> };
  progress: { persistMs: number; emitMs: number };
  /** How often a degraded engine tries a write to see whether the database recovered. */
  probeMs: number;
  /** How long a worker that ignores its abort may run before it is terminated. */
  workerGraceMs: number;
  onLog?: (taskId: string, message: string) => void;
  /** Worker-thread entry (path or file URL); default: see worker-path.ts. */
  workerEntry?: string;
  /** Durable events buffered per watch subscription before it is ended (default 10,000). */
  watchBacklog?: number;
}

export interface EngineCore {
  readonly o: EngineOptions;
  readonly guard: DbGuard;
  readonly limiter: ConcurrencyLimiter;
  readonly coalescer: ProgressCoalescer;
  readonly hub: WatchHub;
  /** Parent of each task seen (watch filters, progress aggregation). */
  readonly parentOf: Map<string, string | null>;
  /** True while claims are allowed (started, queue not paused, not degraded, owner). */
  isClaiming(): boolean;
  /** True once another process took the database over: nothing of ours may be written any more. */
  ownerLost(): boolean;
  /** Brings memory in line with a committed transition and its cascade. */
  react(r: TransitionResult): void;
  /** Publishes every committed journal event not yet published. */
  publish(): void;
  schedulePump(): void;
  /** Runs a write; null when the database faulted (degraded) or the change no longer applies. */
  tryWrite<T>(fn: () => T): T | null;
  tryRead<T>(fn: () => T): T | null;
}

export function stateAbortKind(state: TaskState): AbortKind {
  return state === 'paused' ? 'pause' : 'cancel';
}

export function childrenFailed(bad: number, total: number): TaskError {
  return { code: 'CHILDREN_FAILED', message: `${bad} of ${total} children failed or were cancelled; retry the parent to retry them`, retryable: true };
}

export function isDbFault(e: unknown): boolean {
  return e instanceof ServiceError && (e.code === 'DISK_FULL' || e.code === 'DB_UNAVAILABLE');
}

/**
 * A task changed meanwhile (e.g. cancelled by a cascade), or another boot now runs it
 * (SERVICE_LOCKED: we were taken over): the write no longer applies and wrote nothing.
 */
export function skipIllegal<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ServiceError && (e.code === 'ILLEGAL_TRANSITION' || e.code === 'CONFLICT' || e.code === 'NOT_FOUND' || e.code === 'SERVICE_LOCKED')) return null;
    throw e;
  }
}

export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
