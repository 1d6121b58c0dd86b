import { randomUUID } from 'node:crypto';
import { realClock, type Clock } from '../engine/clock';
import type { TaskDefinition } from '../engine/define';
import { Engine } from '../engine/engine';
import { TaskRegistry } from '../engine/registry';
import { openTaskStore } from '../store/open-store';
import type { TaskStore } from '../store/types';
import type { RetentionOptions } from './housekeeping';
import type { YtDlpHealth } from './lifecycle';

/**
 * Wiring and defaults: every option a service takes, the value it gets when left out, and the
 * one place the registry, the store and the engine are built from them.
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
   * PLAYLISTIFY_WORKER_ENTRY variable, else resolved beside the engine (engine/worker/worker-path.ts).
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
  /** The downloads folders (default first), shown in health so a client can offer them. */
  downloadsRoots?: () => string[];
  /** Connectivity as the host knows it at start (default true); later changes: setNetwork. */
  online?: boolean;
  /** The yt-dlp the task types use, as service.health shows it. */
  ytdlpHealth?: () => YtDlpHealth;
  /** Opens the store (tests may wrap it); default openTaskStore. */
  openStore?: (path: string, opts: { synchronous?: 'NORMAL' | 'FULL' }) => TaskStore;
}

/** What the service's jobs (lifecycle, operations) share, built once. */
export interface Wiring {
  dbPath: string;
  downloadsRoots: () => string[];
  ytdlpHealth: (() => YtDlpHealth) | null;
  clock: Clock;
  bootId: string;
  registry: TaskRegistry;
  store: TaskStore;
  engine: Engine;
  heartbeatMs: number;
  staleMs: number;
  walMs: number;
  shutdownTimeoutMs: number;
  maxRecoveries: number;
  retention: RetentionOptions | null;
}

export function wire(opts: TaskServiceOptions): Wiring {
  const clock = opts.clock ?? realClock;
  const bootId = opts.bootId ?? randomUUID();
  const registry = new TaskRegistry(opts.tasks);
  const open = opts.openStore ?? ((p: string, o: { synchronous?: 'NORMAL' | 'FULL' }) => openTaskStore(p, o).store);
  const store = open(opts.dbPath, opts.synchronous ? { synchronous: opts.synchronous } : {});
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
    ...(opts.online !== undefined ? { online: opts.online } : {}),
  });
  return {
    dbPath: opts.dbPath,
    downloadsRoots: opts.downloadsRoots ?? (() => []),
    ytdlpHealth: opts.ytdlpHealth ?? null,
    clock,
    bootId,
    registry,
    store,
    engine,
    heartbeatMs: opts.ownership?.heartbeatMs ?? 2_000,
    staleMs: opts.ownership?.staleMs ?? 10_000,
    walMs: opts.walCheckpointMs ?? 5_000,
    shutdownTimeoutMs: opts.shutdownTimeoutMs ?? 5_000,
    maxRecoveries: opts.recovery?.maxRecoveries ?? DEFAULT_MAX_RECOVERIES,
    retention: opts.retention === false ? null : { ...DEFAULT_RETENTION, ...opts.retention },
  };
}
