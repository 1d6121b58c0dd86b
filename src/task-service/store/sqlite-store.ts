import { ServiceError } from '../../shared/errors';
import { jsonProblem, listRequest, LIMITS, type CreateGraphRequest, type ListRequest, type SpawnRequest } from '../../shared/schemas';
import { type Page, type Task, type TaskEvent, type TaskProgress, type TaskState } from '../../shared/task';
import { currentVersion } from '../db/migrate';
import type { Db } from '../db/statement';
import { nextRunAfter, nextRunAt } from './next-run.sql';
import { selectEventsAfter, selectLastSeq, selectTaskEvents } from '../db/sql/events';
import { journal } from '../db/sql/insert-event';
import { selectRunAdmits, selectTitle, updateTitleGuarded } from './title.sql';
import { listTasks } from './list.sql';
import { selectOwner } from '../db/sql/owner';
import { selectOrphans } from '../db/sql/queue';
import { countsOf } from './counts';
import { WalControl } from './wal';
import { WalThread } from './wal-thread';
import { selectChildren } from '../db/sql/relatives';
import { summarizeChildren } from './child-summary';
import { selectTask } from '../db/sql/select-task';
import { selectCheckpoint, selectRecoveries, updateCheckpoint, updateCheckpointGuarded, updateProgress, updateProgressGuarded } from '../db/sql/task-data';
import { selectRefunds } from '../db/sql/refund-attempt';
import { claimTasks } from './claim';
import { probeWrite } from './write-probe';
import { createGraph, createOne } from './create';
import { decodeEventCursor, decodeTaskCursor, encodeCursor } from './cursor';
import { fromSqlite } from './errors';
import { OwnerLease } from './owner';
import { Settings } from './settings';
import { pruneTasks, removeTask } from './retention';
import { rowToEvent, rowToTask } from './rows';
import { spawnOwnChildren } from './spawn';
import { leaseRefusal, runRefusal } from './run-guard';
import { applyTransition, lastPause, resumeTarget } from './transition';
import type { ChildSummary, ClaimOptions, Created, NewTask, QueueStats, RetentionPolicy, RunGuard, TaskStore, TransitionPatch, TransitionResult } from './types';
import { parseWith } from '../../shared/validate';

const DEFAULT_PAGE = 50;

/** The TaskStore over one better-sqlite3 connection; see types.ts for each operation's contract. */
export class SqliteTaskStore implements TaskStore {
  // One transaction wrapper for the store's lifetime; nested calls become savepoints.
  private readonly tx: ReturnType<Db['transaction']>;

  /** The single-owner lease (owner.ts), settings (settings.ts) and the WAL (wal.ts): not task operations. */
  readonly owner: OwnerLease;
  readonly settings: Settings;
  readonly wal: WalControl;

  /** `nativeBinding`: the better-sqlite3 addon the connection was opened with (the WAL thread opens its own). */
  constructor(readonly db: Db, opts: { nativeBinding?: string | undefined } = {}) {
    this.tx = db.transaction((fn: () => unknown) => fn());
    this.wal = new WalControl(db, db.memory ? null : new WalThread(db.name, opts.nativeBinding));
    this.owner = new OwnerLease(db, (fn) => this.write(fn));
    this.settings = new Settings(db, (fn) => this.write(fn), (fn) => this.read(fn));
    countsOf(db).read(); // counted once here (startup), then kept by each write
  }

  /** A write transaction. IMMEDIATE takes the write lock up front, so it never fails mid-way on a lock upgrade. */
  private write<T>(fn: () => T): T {
    const counts = countsOf(this.db);
    const outermost = !this.db.inTransaction;
    counts.begin();
    let committed = false;
    try {
      const out = this.tx.immediate(fn) as T;
      committed = true;
      if (outermost) this.wal.committed();
      return out;
    } catch (e) {
      throw fromSqlite(e);
    } finally {
      counts.end(committed);
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw fromSqlite(e);
    }
  }

  create(req: NewTask, now: number, validated = false): Created {
    return this.write(() => createOne(this.db, req, now, validated));
  }

  createGraph(req: CreateGraphRequest, now: number, validated = false): Created[] {
    return this.write(() => createGraph(this.db, req, now, validated));
  }

  spawn(parentId: string, children: SpawnRequest[], now: number, leaseOwner?: string): Created[] {
    return this.write(() => {
      if (leaseOwner !== undefined) {
        const parent = selectTask(this.db).get(parentId);
        if (parent && (parent.state !== 'running' || parent.lease_owner !== leaseOwner)) throw leaseRefusal(parent, leaseOwner, 'spawning children');
      }
      return spawnOwnChildren(this.db, parentId, children, now);
    });
  }

  get(id: string): Task {
    const task = this.find(id);
    if (!task) throw new ServiceError('NOT_FOUND', `Task ${id} does not exist`, { id });
    return task;
  }

  find(id: string): Task | undefined {
    return this.read(() => {
      const row = selectTask(this.db).get(id);
      return row ? rowToTask(row) : undefined;
    });
  }

  /** Newest first; `nextCursor` continues below the last item, so inserts while paging never shift pages. */
  list(raw: ListRequest): Page<Task> {
    const req = parseWith(listRequest, raw, 'list request');
    const limit = req.limit ?? DEFAULT_PAGE;
    return this.read(() => {
      const rows = listTasks(this.db, {
        states: req.states?.length ? req.states : undefined,
        types: req.types?.length ? req.types : undefined,
        parentId: req.parentId,
        beforeId: req.cursor === undefined ? undefined : decodeTaskCursor(req.cursor),
        limit: limit + 1,
      });
      const more = rows.length > limit;
      const items = (more ? rows.slice(0, limit) : rows).map(rowToTask);
      return { items, nextCursor: more ? encodeCursor('task', items[items.length - 1]!.id) : null };
    });
  }

  children(parentId: string): Task[] {
    return this.read(() => selectChildren(this.db).all(parentId).map(rowToTask));
  }

  childSummary(parentId: string, tolerated: readonly string[] = []): ChildSummary {
    return this.read(() => summarizeChildren(this.db, parentId, tolerated));
  }

  resumeTarget(id: string): 'queued' | 'blocked' | 'waiting' {
    return this.read(() => resumeTarget(this.db, id, lastPause(this.db, id).from) as 'queued' | 'blocked' | 'waiting');
  }

  transition(id: string, to: TaskState, now: number, patch?: TransitionPatch, expectFrom?: TaskState | TaskState[]): TransitionResult {
    return this.write(() => {
      return applyTransition(this.db, id, to, now, patch, expectFrom);
    });
  }

  claim(opts: ClaimOptions): Task[] {
    return this.write(() => {
      // A boot that was taken over (it stalled past staleMs) must not lease tasks the new owner
      // would never recover. No owner row at all: a tool or test driving the store directly.
      const holder = selectOwner(this.db).get();
      if (holder !== undefined && holder.boot_id !== opts.bootId)
        throw new ServiceError('SERVICE_LOCKED', `Boot ${opts.bootId} no longer owns this database (boot ${holder.boot_id}, pid ${holder.pid} does); nothing was claimed`, {
          bootId: holder.boot_id,
          pid: holder.pid,
        });
      return claimTasks(this.db, opts);
    });
  }

  nextRunAt(after?: number): number | null {
    return this.read(() => (after === undefined ? nextRunAt(this.db).get()!.at : nextRunAfter(this.db).get(after)!.at));
  }

  saveProgress(id: string, progress: TaskProgress, now: number, guard?: RunGuard): void {
    const json = JSON.stringify(progress);
    this.write(() => {
      if (guard !== undefined) {
        const args = { id, json, now, lease: guard.leaseOwner, or_state: guard.orState ?? null };
        if (updateProgressGuarded(this.db).run(args).changes !== 1) throw runRefusal(this.db, id, guard, 'progress');
      } else if (updateProgress(this.db).run(json, now, id).changes !== 1) throw new ServiceError('NOT_FOUND', `Task ${id} does not exist`, { id });
    });
  }

  saveCheckpoint(id: string, checkpoint: unknown, now: number, guard?: RunGuard): void {
    const problem = jsonProblem(checkpoint, LIMITS.inputBytes);
    if (problem !== null) throw new ServiceError('BAD_INPUT', `Checkpoint of task ${id} ${problem}`, { id });
    const json = JSON.stringify(checkpoint ?? null);
    this.write(() => {
      if (guard !== undefined) {
        const args = { id, json, now, lease: guard.leaseOwner, or_state: guard.orState ?? null };
        if (updateCheckpointGuarded(this.db).run(args).changes !== 1) throw runRefusal(this.db, id, guard, 'a checkpoint');
      } else if (updateCheckpoint(this.db).run(json, now, id).changes !== 1) throw new ServiceError('NOT_FOUND', `Task ${id} does not exist`, { id });
      journal(this.db, id, 'checkpoint', null, null, JSON.stringify({ bytes: Buffer.byteLength(json) }), now);
    });
  }

  setTitle(id: string, title: string, now: number, guard: RunGuard): void {
    this.write(() => {
      if (selectTitle(this.db).get(id)?.title === title) return; // unchanged: nothing to journal
      if (updateTitleGuarded(this.db).run({ id, title, now, lease: guard.leaseOwner, or_state: guard.orState ?? null }).changes !== 1) throw runRefusal(this.db, id, guard, 'a title');
      journal(this.db, id, 'title', null, null, JSON.stringify({ title }), now);
    });
  }

  appendLog(id: string, line: string, now: number, guard: RunGuard): void {
    this.write(() => {
      // The same guard as the run's other writes: a run that lost the task logs nothing for it.
      if (!selectRunAdmits(this.db).get({ id, lease: guard.leaseOwner, or_state: guard.orState ?? null })) throw runRefusal(this.db, id, guard, 'a log line');
      journal(this.db, id, 'log', null, null, JSON.stringify({ line }), now);
    });
  }

  getCheckpoint(id: string): unknown {
    return this.read(() => {
      const row = selectCheckpoint(this.db).get(id);
      if (!row) throw new ServiceError('NOT_FOUND', `Task ${id} does not exist`, { id });
      return row.checkpoint === null ? null : (JSON.parse(row.checkpoint) as unknown);
    });
  }

  events(taskId: string, cursor?: string, limit: number = DEFAULT_PAGE): Page<TaskEvent> {
    const after = cursor === undefined ? 0 : decodeEventCursor(cursor);
    const n = Math.max(1, Math.min(LIMITS.listLimit, Math.floor(limit)));
    return this.read(() => {
      const rows = selectTaskEvents(this.db).all(taskId, after, n + 1);
      const more = rows.length > n;
      const items = (more ? rows.slice(0, n) : rows).map(rowToEvent);
      return { items, nextCursor: more ? encodeCursor('event', items[items.length - 1]!.seq) : null };
    });
  }

  eventsAfter(afterSeq: number, limit: number): TaskEvent[] {
    return this.read(() => selectEventsAfter(this.db).all(afterSeq, Math.max(1, Math.floor(limit))).map(rowToEvent));
  }

  lastSeq(): number {
    return this.read(() => selectLastSeq(this.db).get()!.seq);
  }

  orphans(bootId: string): Task[] {
    return this.read(() => selectOrphans(this.db).all(bootId).map(rowToTask));
  }

  recoveries(id: string): number {
    return this.read(() => {
      const row = selectRecoveries(this.db).get(id);
      if (!row) throw new ServiceError('NOT_FOUND', `Task ${id} does not exist`, { id });
      return row.recoveries;
    });
  }

  failedAttempts(id: string): number {
    const task = this.get(id);
    return this.read(() => task.runs - (selectRefunds(this.db).get(id)?.refunded ?? 0));
  }

  remove(id: string, now: number): void {
    this.write(() => removeTask(this.db, id, now));
  }

  prune(policy: RetentionPolicy): number {
    return this.write(() => pruneTasks(this.db, policy));
  }

  stats(): QueueStats {
    return this.read(() => countsOf(this.db).read());
  }

  probeWrite(bytes: number): void {
    probeWrite((fn) => this.write(fn), this.db, bytes);
  }

  schemaVersion(): number {
    return this.read(() => currentVersion(this.db));
  }

  batch<T>(fn: () => T): T {
    return this.write(fn);
  }

  close(): void {
    this.wal.close();
    if (this.db.open) this.db.close();
  }
}
