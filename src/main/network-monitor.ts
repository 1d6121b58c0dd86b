/**
 * Tells the task service whether the machine is online (host protocol `network` message), so
 * downloads wait in `queued` during an outage instead of burning their attempts. Electron-free:
 * main passes `net.isOnline` and how to send; tests pass plain functions and a manual timer.
 *
 * The answer is checked every `intervalMs` and whenever a signal fires (e.g. a window's
 * online/offline event, or resume from sleep); a change is sent at once, and the current value
 * is re-sent to every new service life (`resend`, on supervisor ready), since a restarted service
 * starts out assuming online.
 */

export interface NetworkMonitorDeps {
  isOnline(): boolean;
  send(online: boolean): void;
  /** Subscribes to a hint that connectivity may have changed; returns the unsubscribe. */
  signals?: Array<(check: () => void) => () => void>;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  /** Default 5,000 ms. */
  intervalMs?: number;
}

export interface NetworkMonitor {
  /** The last value checked. */
  online(): boolean;
  /** Checks now; sends only a change. */
  check(): void;
  /** Sends the current value again (a new service process). */
  resend(): void;
  stop(): void;
}

export function startNetworkMonitor(d: NetworkMonitorDeps): NetworkMonitor {
  const read = (): boolean => {
    try {
      return d.isOnline();
    } catch {
      return true; // cannot tell: do not hold work back on a broken probe
    }
  };
  let last = read();
  d.send(last);
  const check = (): void => {
    const now = read();
    if (now === last) return;
    last = now;
    d.send(now);
  };
  const timer = d.setInterval(check, d.intervalMs ?? 5_000);
  const unsubscribe = (d.signals ?? []).map((subscribe) => subscribe(check));
  return {
    online: () => last,
    check,
    resend: () => d.send(last),
    stop: () => {
      d.clearInterval(timer);
      for (const u of unsubscribe) u();
    },
  };
}
