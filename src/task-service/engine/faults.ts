import type { TaskStore } from '../store/types';
import type { Clock, TimerHandle } from './clock';
import type { DbGuard } from './db-guard';

/**
 * While the database refuses writes (disk full, I/O error) the engine is degraded: it claims
 * nothing and a probe retries on a timer. The probe first retries the pending outcomes (they
 * must land before anything else), then commits a write that GROWS the database (see
 * store/write-probe.ts); only when both succeed is the engine recovered. A heartbeat used to be
 * the probe: it rewrites a page in place, so it succeeded while inserts still failed, and the
 * engine flapped between claiming and degraded.
 */

/** Enough for a batch of outcomes with their journal rows (16 pages of 4 KiB). */
export const PROBE_BYTES = 64 * 1024;

export class FaultProbe {
  private timer: TimerHandle | null = null;

  constructor(
    private readonly d: { store: TaskStore; guard: DbGuard; clock: Clock; probeMs: number },
    private readonly pendingOutcomes: () => number,
    private readonly flushOutcomes: () => void,
    private readonly onRecovered: () => void,
  ) {}

  arm(): void {
    if (this.timer !== null) return;
    this.timer = this.d.clock.setTimeout(() => {
      this.timer = null;
      this.probe();
    }, this.d.probeMs);
  }

  dispose(): void {
    if (this.timer !== null) this.d.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private probe(): void {
    const { guard, store } = this.d;
    if (guard.degraded() === null) return;
    try {
      // flushOutcomes keeps the outcomes pending (it does not throw) when the write fails.
      if (this.pendingOutcomes() > 0) this.flushOutcomes();
      if (this.pendingOutcomes() === 0) {
        guard.write(() => store.probeWrite(PROBE_BYTES));
        guard.recovered();
      }
    } catch {
      // still failing
    }
    if (guard.degraded() !== null) {
      this.arm();
      return;
    }
    this.onRecovered();
  }
}
