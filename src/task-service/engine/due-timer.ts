import { MAX_TIMER_MS, type Clock, type TimerHandle } from './clock';

/**
 * One timer for the earliest due moment (delayed tasks, retry backoff). The engine re-arms it
 * after every change with the store's nextRunAt; there is never more than one pending timer and
 * never a polling loop. Far-future moments are reached in MAX_TIMER_MS hops.
 */
export class DueTimer {
  private handle: TimerHandle | null = null;
  private at: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: () => void,
  ) {}

  /** Arms for `at` (epoch ms), replacing any later or earlier arming; null disarms. */
  arm(at: number | null): void {
    if (at === this.at && this.handle !== null) return;
    this.disarm();
    if (at === null) return;
    this.at = at;
    const delay = Math.max(0, at - this.clock.now());
    this.handle = this.clock.setTimeout(
      () => {
        this.handle = null;
        const due = this.at;
        this.at = null;
        if (due !== null && due > this.clock.now()) this.arm(due);
        else this.onDue();
      },
      Math.min(delay, MAX_TIMER_MS),
    );
  }

  armedFor(): number | null {
    return this.at;
  }

  disarm(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
    this.at = null;
  }
}
