import type { CreateGraphRequest, CreateTaskRequest, ListRequest, SpawnRequest } from '../../shared/schemas';
import type { Page, Task, TaskError, TaskEvent, TaskProgress, TaskState } from '../../shared/task';
import type { OwnerLease } from './owner';
import type { Settings } from './settings';
import type { WalControl } from './wal';

/**
 * The TaskStore contract: every read and write of tasks, edges and events. Only the store
 * touches SQL and transactions; the engine depends on these operations alone. Every method is
 * synchronous (better-sqlite3) and atomic: it either writes everything it says or nothing.
 * Errors are ServiceError with a code from shared/errors.
 */

/** A create as the store sees it: a validated request plus where it came from. */
export interface NewTask extends CreateTaskRequest {
  /** Set by spawn: unique per parent, so a re-run parent does not duplicate children. */
  spawnKey?: string;
}

/** Result of a create: `deduplicated` is true when an existing task was returned instead. */
export interface Created {
  task: Task;
  deduplicated: boolean;
}

/** Fields a transition may change alongside the state. */
export interface TransitionPatch {
  error?: TaskError | null;
  result?: unknown;
  runAt?: number;
  /** Lease owner (boot id) while running; cleared when leaving running. */
  leaseOwner?: string | null;
  /** Event detail recorded in the journal (e.g. {reason: 'cancel', cause: 'dependency X failed'}). */
  reason?: Record<string, unknown>;
  /** Increment the crash-recovery counter (recovery of an orphaned running task). */
  countRecovery?: boolean;
  /** Explicit retry by the user: failed attempts and crash recoveries start again from 0 (runs go on). */
  resetAttempts?: boolean;
  /**
   * The run being left did not fail (graceful shutdown, crash recovery, a network outage): it does
   * not use up maxAttempts. Leaving running for completed, waiting, paused or cancelled refunds
   * without asking. See store/rows.ts.
   */
  refundAttempt?: boolean;
  /**
   * Single owner: the transition applies only while the task is leased to this boot id (the
   * run's own outcome). SERVICE_LOCKED, writing nothing, when another boot's lease holds it.
   */
  expectLease?: string;
}

/**
 * Who may write a task's run data (progress, checkpoint): a run writes only while the task is
 * `running` under its own lease, so a stale owner (stalled past staleMs, taken over) never
 * overwrites the new owner's run. `orState` also admits the task in that state (a paused run's
 * final checkpoint, a waiting parent's aggregate progress). Refused: SERVICE_LOCKED when another
 * boot holds the lease, else CONFLICT; nothing is written.
 */
export interface RunGuard {
  leaseOwner: string | null;
  orState?: TaskState | null;
}

/** Outcome of a transition that also touched other tasks (cascades). */
export interface TransitionResult {
  task: Task;
  /** Every other task whose state changed in the same transaction, in order. */
  affected: Task[];
  /** Journal events written, in sequence order. */
  events: TaskEvent[];
}

/** Aggregate of a parent's children. */
export interface ChildSummary {
  total: number;
  byState: Partial<Record<TaskState, number>>;
  /** Mean of children's progress ratios (terminal = 1, unknown = 0). */
  ratio: number;
  /** Failed children whose permanent error has a code the parent tolerates (see childSummary). */
  tolerated: number;
}

export interface ClaimOptions {
  bootId: string;
  now: number;
  /** How many tasks at most to claim. */
  limit: number;
  /** Per-type remaining capacity; types absent from the map are not claimed. null = any type. */
  capacity: Map<string, number> | null;
}

export interface QueueStats {
  byState: Record<TaskState, number>;
  byType: Record<string, Partial<Record<TaskState, number>>>;
}

export interface RetentionPolicy {
  /** Remove terminal tasks finished before now - olderThanMs. */
  olderThanMs?: number;
  /** Keep at most this many terminal root tasks (newest by finishedAt). */
  keepNewest?: number;
  /** Delete at most this many root trees per call, keeping each transaction short; call again while it returns > 0. */
  maxRoots?: number;
  now: number;
}

export interface TaskStore {
  /**
   * Creates one task (blocked if any dependency is unmet). NOT_FOUND for unknown dependency or
   * parent ids. `validated`: the caller already parsed `req` with createTaskRequest (the service
   * does), so it is not parsed twice.
   */
  create(req: NewTask, now: number, validated?: boolean): Created;
  /** Creates a batch atomically; `dependsOn` names ids or keys of the batch. DEPENDENCY_CYCLE names the cycle. `validated`: as for create. */
  createGraph(req: CreateGraphRequest, now: number, validated?: boolean): Created[];
  /**
   * Children of a running parent, idempotent by spawn key. With `leaseOwner`, the parent must be
   * running under that lease (RunGuard). A dedupeKey held by a live task that is not this
   * parent's child never returns that task: the parent gets a child of its own, without the key,
   * that depends on the holder (store/spawn.ts).
   */
  spawn(parentId: string, children: SpawnRequest[], now: number, leaseOwner?: string): Created[];

  /** NOT_FOUND when absent. */
  get(id: string): Task;
  find(id: string): Task | undefined;
  list(req: ListRequest): Page<Task>;
  children(parentId: string): Task[];
  /** `tolerated`: error codes of permanent child failures that do not fail the parent. */
  childSummary(parentId: string, tolerated?: readonly string[]): ChildSummary;
  /**
   * Where a paused task goes on resume: `waiting` for a parent paused while waiting for its
   * children (its handler is not run again), else queued, or blocked while a dependency is unmet.
   */
  resumeTarget(id: string): 'queued' | 'blocked' | 'waiting';

  /**
   * The one guarded state change. ILLEGAL_TRANSITION (writing nothing) when `to` is not allowed
   * from the current state, or when `expectFrom` is given and differs. Writes a journal event.
   * Cascades done in the same transaction:
   *  - to completed: blocked dependents whose dependencies are now all completed -> queued;
   *  - to failed/cancelled: non-terminal dependents -> cancelled (DEPENDENCY_FAILED, reason names it);
   *  - to cancelled or failed: non-terminal descendants -> cancelled (a failed parent's children
   *    must not run on unowned);
   *  - to paused: live descendants -> paused (journaled as paused by their parent);
   *  - from paused (resume): the descendants that pause paused -> back where they were.
   */
  transition(id: string, to: TaskState, now: number, patch?: TransitionPatch, expectFrom?: TaskState | TaskState[]): TransitionResult;

  /** queued -> running for due tasks, ordered priority desc, runAt, id; attempt+1, lease = bootId. */
  claim(opts: ClaimOptions): Task[];
  /**
   * Earliest runAt among queued tasks, or null; with `after`, only among runAt > after (not yet
   * due) of tasks delayed past their creation (a task due when created stays due).
   */
  nextRunAt(after?: number): number | null;

  /** With a guard, written only when the guard admits the task (see RunGuard). */
  saveProgress(id: string, progress: TaskProgress, now: number, guard?: RunGuard): void;
  /** Durable checkpoint (journaled as a 'checkpoint' event); with a guard, see RunGuard. */
  saveCheckpoint(id: string, checkpoint: unknown, now: number, guard?: RunGuard): void;
  getCheckpoint(id: string): unknown;
  /** A handler retitles its task (journaled as 'title' when it changes); guarded like a checkpoint. */
  setTitle(id: string, title: string, now: number, guard: RunGuard): void;
  /** A line the task logged (journaled as 'log'); guarded like a checkpoint. */
  appendLog(id: string, line: string, now: number, guard: RunGuard): void;

  /** A task's own events, oldest first; cursor is opaque. */
  events(taskId: string, cursor?: string, limit?: number): Page<TaskEvent>;
  /** All events with seq > afterSeq, oldest first. */
  eventsAfter(afterSeq: number, limit: number): TaskEvent[];
  lastSeq(): number;

  /** Tasks in `running` whose lease is not `bootId`. */
  orphans(bootId: string): Task[];
  /** Crash recoveries since the task last made progress (a new checkpoint or progress value) or was retried. */
  recoveries(id: string): number;
  /** Runs that count towards maxAttempts, a running task's current run included (the settler asks while it fails). */
  failedAttempts(id: string): number;

  /** Deletes a terminal task, its descendants and their events. CONFLICT if any is not terminal. */
  remove(id: string, now: number): void;
  prune(policy: RetentionPolicy): number;
  stats(): QueueStats;

  /** The single-owner lease of the database file (owner.ts). */
  readonly owner: OwnerLease;
  /** Service settings that survive a restart (settings.ts). */
  readonly settings: Settings;
  /** WAL checkpoints (wal.ts). */
  readonly wal: WalControl;
  /** Commits a row of `bytes` then deletes it: throws unless the database can grow (degraded probe). */
  probeWrite(bytes: number): void;
  schemaVersion(): number;

  /** Runs fn in one transaction (group commit); nested calls join the outer one. */
  batch<T>(fn: () => T): T;
  close(): void;
}
