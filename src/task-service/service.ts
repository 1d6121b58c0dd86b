import { randomUUID } from 'node:crypto';
import { ServiceError } from '../shared/errors';
import {
  createGraphRequest,
  createTaskRequest,
  eventsRequest,
  idRequest,
  listRequest,
  setConcurrencyRequest,
} from '../shared/schemas';
import type { Page, Task, TaskEvent } from '../shared/task';
import { realClock, type Clock } from './engine/clock';
import type { TaskDefinition } from './engine/define';
import { Engine } from './engine/engine';
import { Housekeeping, type RetentionOptions } from './engine/housekeeping';
import { TaskRegistry } from './engine/registry';
import { recover } from './engine/recovery';
import { retryTask } from './engine/retry';
import { processAlive } from './engine/process-alive';
import { parseWith } from './engine/validate';
import type { Watch, WatchFilter } from './engine/watch';
import { openTaskStore } from './store/open-store';
import type { QueueStats, TaskStore } from './store/types';

/**
 * The programmatic task service: one engine over one store, with the operations of DESIGN.md §5
 * as plain methods (the RPC layer wraps them). Inputs are validated before anything is written.
 */

export const SERVICE_VERSION = '0.1.0';

/**
 * Recoveries before CRASH_LOOP. A poison task crashes the service once per recovery, so it must
 * fail before the supervisor gives up on the whole service (5 crashes in a minute, src/main).
 */
export const DEFAULT_MAX_RECOVERIES = 3;

const DAY = 24 * 60 * 60 * 1000;
const DEFAULT_RETENTION: RetentionOptions = { olderThanMs: 30 * DAY, keepNewest: 10_000, everyMs: 60 * 60 * 1000 };

export interface TaskServiceOptions {
  dbPath: string;
  tasks: TaskDefinition[];
  concurrency: { global: number; perType?: Record<string, number> };
  clock?: Clock;
  random?: () => number;
  bootId?: string;
  progress?: { persistMs?: number; emitMs?: number };
  recovery?: { maxRecoveries?: number };
  shutdownTimeoutMs?: number;
  ownership?: { heartbeatMs?: number; staleMs?: number };
  walCheckpointMs?: number;
  synchronous?: 'NORMAL' | 'FULL';
  /** Degraded-state probe interval. */
  probeMs?: number;
  workerGraceMs?: number;
  /**
   * The worker-thread entry for `runIn: 'worker'` types (path or file URL). Default: the
   * PLAYLISTIFY_WORKER_ENTRY variable, else resolved beside the engine (engine/worker-path.ts).
   */
  workerEntry?: string;
  /**
   * Retention of finished work (default: root trees finished over 30 days ago, or beyond the
   * newest 10,000, checked hourly); false keeps everything.
   */
  retention?: false | Partial<RetentionOptions>;
  /** Durable events buffered per watch before it ends with CONFLICT 'watch-overflow' (default 10,000). */
  watchBacklog?: number;
  onLog?: (taskId: string, message: string) => void;
  /** Opens the store (tests may wrap it); default openTaskStore. */
  openStore?: (path: string, opts: { synchronous?: 'NORMAL' | 'FULL' }) => TaskStore;
}

export interface ServiceStats extends QueueStats {
  running: number;
  /** Concurrency slots held, including handlers whose result is being ignored (cancelled ones that did not stop yet). */
  busySlots: number;
  queuePaused: boolean;
  concurrency: { global: number; perType: Record<string, number> };
  /** Tasks completed in the last minute. */
  throughputPerMinute: number;
  /** Open watch subscriptions (a leak shows here). */
  watchers: number;
}

export interface ServiceHealth {
  ok: boolean;
  /** The queue-wide pause (persisted: it survives restarts). Not a fault, so not in degraded. */
  queuePaused: boolean;
  version: string;
  schemaVersion: number;
  bootId: string;
  startedAt: number | null;
  degraded: string[];
}

export type TaskService = ReturnType<typeof createTaskService>;

export function createTaskService(opts: TaskServiceOptions) {
  const clock = opts.clock ?? realClock;
  const bootId = opts.bootId ?? randomUUID();
  const registry = new TaskRegistry(opts.tasks);
  const open = opts.openStore ?? ((p: string, o: { synchronous?: 'NORMAL' | 'FULL' }) => openTaskStore(p, o).store);
  const store = open(opts.dbPath, opts.synchronous ? { synchronous: opts.synchronous } : {});
  const heartbeatMs = opts.ownership?.heartbeatMs ?? 2_000;
  const staleMs = opts.ownership?.staleMs ?? 10_000;
  const walMs = opts.walCheckpointMs ?? 5_000;
  const engine = new Engine({
    store,
    registry,
    clock,
    random: opts.random ?? Math.random,
    bootId,
    concurrency: opts.concurrency,
    progress: { persistMs: opts.progress?.persistMs ?? 1_000, emitMs: opts.progress?.emitMs ?? 100 },
    probeMs: opts.probeMs ?? 1_000,
    workerGraceMs: opts.workerGraceMs ?? 5_000,
    ...(opts.watchBacklog !== undefined ? { watchBacklog: opts.watchBacklog } : {}),
    ...(opts.workerEntry !== undefined ? { workerEntry: opts.workerEntry } : {}),
    ...(opts.onLog ? { onLog: opts.onLog } : {}),
  });
  let startedAt: number | null = null;
  let stopped = false;
  let ownershipLost: string | null = null;
  const housekeeping = new Housekeeping({
    store,
    guard: engine.guard,
    clock,
    bootId,
    heartbeatMs,
    walMs,
    busy: () => engine.busy(),
    retention: opts.retention === false ? null : { ...DEFAULT_RETENTION, ...opts.retention },
    onOwnershipLost: (message) => {
      ownershipLost = message;
      engine.relinquish();
    },
  });

  const now = (): number => clock.now();
  const running = (): void => {
    if (startedAt === null || stopped) throw new ServiceError('SHUTTING_DOWN', stopped ? 'The task service is stopped' : 'The task service is not started; call start() first');
    // Another process owns the database now: changes go through it, never through both.
    if (ownershipLost) throw new ServiceError('SERVICE_LOCKED', `${ownershipLost}. Restart the app to reconnect to the running service.`);
  };

  const withDefaults = <T extends { type: string; maxAttempts?: number | undefined; input: unknown }>(req: T): T => {
    registry.parseInput(req.type, req.input);
    const max = req.maxAttempts ?? registry.get(req.type).maxAttempts;
    return max === undefined ? req : { ...req, maxAttempts: max };
  };

  const service = {
    bootId,
    store,

    async start(): Promise<void> {
      if (startedAt !== null) return;
      const t = now();
      try {
        engine.preflight();
        store.owner.acquire({ bootId, pid: process.pid }, t, staleMs, processAlive);
      } catch (e) {
        store.close();
        stopped = true;
        throw e;
      }
      recover(engine, store, { bootId, now: t, maxRecoveries: opts.recovery?.maxRecoveries ?? DEFAULT_MAX_RECOVERIES });
      startedAt = t;
      engine.begin();
      housekeeping.start();
    },

    async stop(o: { timeoutMs?: number } = {}): Promise<void> {
      if (stopped) return;
      stopped = true;
      housekeeping.stop();
      if (startedAt !== null) {
        await engine.stop(o.timeoutMs ?? opts.shutdownTimeoutMs ?? 5_000);
        try {
          store.owner.release(bootId);
          store.wal.checkpoint('TRUNCATE');
        } catch {
          // Closing anyway: a stale owner row is taken over after staleMs.
        }
      }
      store.close();
    },

    create(raw: unknown): Task {
      running();
      const req = withDefaults(parseWith(createTaskRequest, raw, 'task'));
      const created = engine.guard.write(() => store.create(req, now()));
      engine.publish();
      engine.schedulePump();
      return created.task;
    },

    createGraph(raw: unknown): Task[] {
      running();
      const req = parseWith(createGraphRequest, raw, 'task graph');
      const nodes = req.tasks.map(withDefaults);
      const created = engine.guard.write(() => store.createGraph({ tasks: nodes }, now()));
      engine.publish();
      engine.schedulePump();
      return created.map((c) => c.task);
    },

    get(raw: unknown): Task {
      return store.get(parseWith(idRequest, raw, 'request').id);
    },

    list(raw: unknown = {}): Page<Task> {
      return store.list(parseWith(listRequest, raw, 'list request'));
    },

    events(raw: unknown): Page<TaskEvent> {
      const r = parseWith(eventsRequest, raw, 'events request');
      const page = store.events(r.id, r.cursor, r.limit);
      // An empty page is also what a typo'd id would get: tell the two apart. (A removed task
      // keeps its 'removed' tombstone for a while, so it is not unknown.)
      if (page.items.length === 0) store.get(r.id);
      return page;
    },

    cancel(raw: unknown): Task {
      running();
      const { id } = parseWith(idRequest, raw, 'request');
      return engine.change(id, 'cancelled', { leaseOwner: null, reason: { reason: 'cancel', by: 'user' } });
    },

    pause(raw: unknown): Task {
      running();
      const { id } = parseWith(idRequest, raw, 'request');
      // Pausing a running task gives back the attempt its claim took: a pause is not a failure.
      if (store.get(id).state === 'running')
        return engine.change(id, 'paused', { leaseOwner: null, refundAttempt: true, reason: { reason: 'pause', by: 'user' } }, 'running');
      return engine.change(id, 'paused', { leaseOwner: null, reason: { reason: 'pause', by: 'user' } });
    },

    resume(raw: unknown): Task {
      running();
      const { id } = parseWith(idRequest, raw, 'request');
      const t = store.get(id);
      return engine.change(id, engine.depsMet(t) ? 'queued' : 'blocked', { reason: { reason: 'resume', by: 'user' } }, 'paused');
    },

    retry(raw: unknown): Task {
      running();
      const { id } = parseWith(idRequest, raw, 'request');
      return retryTask(engine, store, id, now());
    },

    remove(raw: unknown): Task {
      running();
      const { id } = parseWith(idRequest, raw, 'request');
      const t = store.get(id);
      engine.guard.write(() => store.remove(id, now()));
      engine.forgetProgress(id);
      engine.publish();
      return t;
    },

    queuePause(): void {
      running();
      engine.setQueuePaused(true);
    },

    queueResume(): void {
      running();
      engine.setQueuePaused(false);
    },

    setConcurrency(raw: unknown): void {
      const r = parseWith(setConcurrencyRequest, raw, 'concurrency request');
      if (r.type !== undefined) registry.get(r.type);
      engine.limiter.setLimit(r.type, r.limit);
      engine.schedulePump();
    },

    stats(): ServiceStats {
      return {
        ...store.stats(),
        running: engine.runningCount(),
        busySlots: engine.limiter.running(),
        queuePaused: engine.queueIsPaused(),
        concurrency: engine.limiter.limits(),
        throughputPerMinute: engine.throughput(),
        watchers: engine.hub.size(),
      };
    },

    health(): ServiceHealth {
      const degraded: string[] = [];
      const db = engine.guard.degraded();
      if (db) degraded.push(db);
      if (ownershipLost) degraded.push(`ownership lost: ${ownershipLost}`);
      if (stopped) degraded.push('stopped');
      return { ok: degraded.length === 0 && startedAt !== null, queuePaused: engine.queueIsPaused(), version: SERVICE_VERSION, schemaVersion: store.schemaVersion(), bootId, startedAt, degraded };
    },

    /** Live changes (after replaying the journal past afterSeq); end with close() or break. */
    watch(filter: WatchFilter = {}): Watch {
      return engine.hub.subscribe(filter);
    },
  };
  return service;
}
