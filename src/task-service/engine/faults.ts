import type { TimerHandle } from './clock';
import type { EngineCore } from './core';

/**
 * While the database refuses writes (disk full, I/O error) the engine is degraded: it claims
 * nothing and a probe retries on a timer. The probe retries the pending outcomes first (they
 * must land before anything else); with none pending it writes a heartbeat. Once a write
 * succeeds the guard clears the degraded state and `onRecovered` resumes the engine.
 */
export class FaultProbe {
  private timer: TimerHandle | null = null;

  constructor(
    private readonly core: EngineCore,
    private readonly pendingOutcomes: () => number,
    private readonly flushOutcomes: () => void,
    private readonly onRecovered: () => void,
  ) {}

  arm(): void {
    if (this.timer !== null) return;
    this.timer = this.core.o.clock.setTimeout(() => {
      this.timer = null;
      this.probe();
    }, this.core.o.probeMs);
  }

  dispose(): void {
    if (this.timer !== null) this.core.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private probe(): void {
    const { core } = this;
    if (core.guard.degraded() === null) return;
    try {
      if (this.pendingOutcomes() > 0) this.flushOutcomes();
      else core.guard.write(() => core.o.store.heartbeat(core.o.bootId, core.o.clock.now()));
    } catch {
      // still failing
    }
    if (core.guard.degraded() !== null) {
      this.arm();
      return;
    }
    this.onRecovered();
  }
}
