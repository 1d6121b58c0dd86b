import { ServiceError } from '../../shared/errors';
import type { TaskStore } from '../store/types';
import type { Clock, TimerHandle } from '../engine/clock';
import type { DbGuard } from '../engine/db-guard';

/**
 * The service's two background timers. The heartbeat keeps the single-owner lease alive; when
 * it finds another boot holds the lease (we stalled past staleMs and were taken over) it stops
 * and reports the loss. The WAL checkpoint runs on a schedule, not only on close: PASSIVE while
 * busy never waits for readers; TRUNCATE when idle resets the file to zero, so a reader that
 * keeps coming back cannot make the WAL grow without end.
 */
export interface HousekeepingOptions {
  store: TaskStore;
  guard: DbGuard;
  clock: Clock;
  bootId: string;
  heartbeatMs: number;
  walMs: number;
  /** True while handlers or outcomes are in flight (checkpoint PASSIVE then). */
  busy(): boolean;
  onOwnershipLost(message: string): void;
  /** Pruning of finished work; null keeps everything. */
  retention: RetentionOptions | null;
}

/** Finished root trees older than olderThanMs, or beyond the newest keepNewest, are deleted every everyMs. */
export interface RetentionOptions {
  olderThanMs?: number;
  keepNewest?: number;
  everyMs: number;
}

/** Root trees per prune transaction: a large backlog is trimmed in short steps, not one long lock. */
const PRUNE_BATCH = 200;

export class Housekeeping {
  private heartbeatTimer: TimerHandle | null = null;
  private walTimer: TimerHandle | null = null;
  private pruneTimer: TimerHandle | null = null;

  constructor(private readonly o: HousekeepingOptions) {}

  start(): void {
    this.heartbeat();
    this.wal();
    if (this.o.retention) this.prune(this.o.retention.everyMs);
  }

  stop(): void {
    if (this.heartbeatTimer !== null) this.o.clock.clearTimeout(this.heartbeatTimer);
    if (this.walTimer !== null) this.o.clock.clearTimeout(this.walTimer);
    if (this.pruneTimer !== null) this.o.clock.clearTimeout(this.pruneTimer);
    this.heartbeatTimer = this.walTimer = this.pruneTimer = null;
  }

  /** One batch; the next follows at once while there is more to delete, else after everyMs. */
  private prune(delayMs: number): void {
    const { o } = this;
    const policy = o.retention!;
    this.pruneTimer = o.clock.setTimeout(() => {
      let deleted = 0;
      try {
        deleted = o.guard.write(() =>
          o.store.prune({
            ...(policy.olderThanMs !== undefined ? { olderThanMs: policy.olderThanMs } : {}),
            ...(policy.keepNewest !== undefined ? { keepNewest: policy.keepNewest } : {}),
            maxRoots: PRUNE_BATCH,
            now: o.clock.now(),
          }),
        );
      } catch {
        // A database fault: the guard reports degraded; the next round tries again.
      }
      this.prune(deleted > 0 ? 0 : policy.everyMs);
    }, delayMs);
  }

  private heartbeat(): void {
    const { o } = this;
    this.heartbeatTimer = o.clock.setTimeout(() => {
      try {
        o.guard.write(() => o.store.owner.heartbeat(o.bootId, o.clock.now()));
      } catch (e) {
        if (e instanceof ServiceError && e.code === 'SERVICE_LOCKED') {
          this.heartbeatTimer = null;
          o.onOwnershipLost(e.message);
          return;
        }
        // A database fault: the guard reports degraded; the next beat tries again.
      }
      this.heartbeat();
    }, o.heartbeatMs);
  }

  private wal(): void {
    const { o } = this;
    this.walTimer = o.clock.setTimeout(() => {
      try {
        o.store.wal.checkpoint(o.busy() ? 'PASSIVE' : 'TRUNCATE');
      } catch {
        // A checkpoint that fails (busy, I/O) is retried on the next tick.
      }
      this.wal();
    }, o.walMs);
  }
}
