import { MAX_TIMER_MS, type Clock, type TimerHandle } from './clock';

/**
 * One timer for the earliest moment a queued task becomes due (delayed tasks, retry backoff).
 * The engine arms it from the store's nextRunAt(after now) and moves it earlier whenever a task
 * is queued for an earlier moment; there is never more than one pending timer and never a
 * polling loop. Far-future moments are reached in MAX_TIMER_MS hops.
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

  /** Arms for `at` unless already armed for an earlier moment (a task became queued for later). */
  armEarlier(at: number): void {
    if (this.handle === null || this.at === null || at < this.at) this.arm(at);
  }

  disarm(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
    this.at = null;
  }
}
