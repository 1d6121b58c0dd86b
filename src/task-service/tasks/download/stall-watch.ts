import { RetryableError } from '../../engine/define';

/**
 * The minimum-speed rule. The socket's idle timeout only notices total silence: a server that
 * drips one byte every 29 s resets it each time and held a download slot forever. Here, fewer
 * than `minBytesPerSecond` over any `windowMs` aborts the transfer with a retryable STALLED, so
 * the slot goes to the next download while this one backs off.
 *
 * The watch owns an AbortSignal that follows the task's signal and also fires on a stall; the
 * transfer hands it to the HTTP request, which then fails with the STALLED reason.
 */

export interface StallRule {
  minBytesPerSecond: number;
  windowMs: number;
}

/** Under 1 KiB/s for 60 s. */
export const DEFAULT_STALL_RULE: StallRule = { minBytesPerSecond: 1024, windowMs: 60_000 };

interface Sample {
  at: number;
  bytes: number;
}

export class StallWatch {
  readonly signal: AbortSignal;
  private readonly stalled = new AbortController();
  private readonly timer: ReturnType<typeof setInterval>;
  private samples: Sample[] = [];

  /** `bytes()` reads the transfer's byte count; a drop (a restart from zero) restarts the window. */
  constructor(
    parent: AbortSignal,
    private readonly rule: StallRule,
    private readonly bytes: () => number,
    private readonly host: string,
    private readonly now: () => number = Date.now,
  ) {
    this.signal = AbortSignal.any([parent, this.stalled.signal]);
    this.samples.push({ at: now(), bytes: bytes() });
    // Ten looks per window: a stall is noticed at most a tenth of a window late.
    this.timer = setInterval(() => this.tick(), Math.max(10, Math.floor(rule.windowMs / 10)));
    this.timer.unref?.();
  }

  private tick(): void {
    const at = this.now();
    const bytes = this.bytes();
    const last = this.samples[this.samples.length - 1]!;
    if (bytes < last.bytes) this.samples = [];
    this.samples.push({ at, bytes });
    // Keep one sample at or before the window's start: the window is then fully covered.
    while (this.samples.length > 1 && this.samples[1]!.at <= at - this.rule.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const span = at - first.at;
    if (span < this.rule.windowMs) return;
    if (bytes - first.bytes < (this.rule.minBytesPerSecond * span) / 1000) {
      const seconds = Math.round(this.rule.windowMs / 100) / 10;
      this.stop();
      this.stalled.abort(
        new RetryableError('STALLED', `${this.host} sent ${bytes - first.bytes} bytes in the last ${seconds} s, under the minimum of ${this.rule.minBytesPerSecond} bytes/s; will retry later.`),
      );
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
