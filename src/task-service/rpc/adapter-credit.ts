/**
 * One subscription's send window (see the flow-control note in shared/port/protocol.ts). The
 * pump asks `wait()` before it pulls the next value: while the client has not acknowledged
 * `window` data messages, the iterator is left alone, so a latest-value producer keeps
 * coalescing instead of the port queue growing. Like nextOrAbort, every wait owns its abort
 * listener and removes it when it settles, so long-lived subscriptions gather no listeners.
 */
export class SendCredit {
  private unacked = 0;
  private wake: (() => void) | null = null;

  constructor(readonly window: number) {}

  /** Data messages posted and not yet acknowledged. */
  get pending(): number {
    return this.unacked;
  }

  sent(): void {
    this.unacked++;
  }

  /** The client processed `count` more; a count beyond what was sent just empties the window. */
  ack(count: number): void {
    this.unacked = Math.max(0, this.unacked - count);
    if (this.unacked < this.window && this.wake) {
      const wake = this.wake;
      this.wake = null;
      wake();
    }
  }

  /** Null when a message may be sent now (no allocation on the fast path); else resolves when one may, or at abort. */
  wait(signal: AbortSignal): Promise<void> | null {
    if (this.unacked < this.window || signal.aborted) return null;
    return new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
