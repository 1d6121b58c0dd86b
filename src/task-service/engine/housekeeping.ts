import { ServiceError } from '../../shared/errors';
import type { TaskStore } from '../store/types';
import type { Clock, TimerHandle } from './clock';
import type { DbGuard } from './db-guard';

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
}

export class Housekeeping {
  private heartbeatTimer: TimerHandle | null = null;
  private walTimer: TimerHandle | null = null;

  constructor(private readonly o: HousekeepingOptions) {}

  start(): void {
    this.heartbeat();
    this.wal();
  }

  stop(): void {
    if (this.heartbeatTimer !== null) this.o.clock.clearTimeout(this.heartbeatTimer);
    if (this.walTimer !== null) this.o.clock.clearTimeout(this.walTimer);
    this.heartbeatTimer = this.walTimer = null;
  }

  private heartbeat(): void {
    const { o } = this;
    this.heartbeatTimer = o.clock.setTimeout(() => {
      try {
        o.guard.write(() => o.store.heartbeat(o.bootId, o.clock.now()));
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
        o.store.checkpointWal(o.busy() ? 'PASSIVE' : 'TRUNCATE');
      } catch {
        // A checkpoint that fails (busy, I/O) is retried on the next tick.
      }
      this.wal();
    }, o.walMs);
  }
}
