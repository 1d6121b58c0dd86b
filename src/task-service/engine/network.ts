/**
 * The network constraint (WorkManager's NetworkType.CONNECTED, DESIGN §8): task types that
 * declare `requiresNetwork` are not claimed while the host reports the machine offline; they
 * wait in `queued` and go on by themselves when it is back. The host is the judge
 * (Electron's net.isOnline(), a probe or an option in the Node host): the service only keeps
 * what it was told last, plus an outage counter so that a run can tell whether the network
 * went away while it ran (a NETWORK failure then is the outage's fault, not the task's).
 */
export class NetworkState {
  private up: boolean;
  private outages = 0;

  constructor(online = true, private readonly onChange: (online: boolean) => void = () => {}) {
    this.up = online;
  }

  online(): boolean {
    return this.up;
  }

  /** Outages begun so far; a run remembers it at launch (see lostSince). */
  epoch(): number {
    return this.outages;
  }

  /** True when offline now, or an outage began since `epoch` was read. */
  lostSince(epoch: number): boolean {
    return !this.up || this.outages !== epoch;
  }

  set(online: boolean): void {
    if (online === this.up) return;
    this.up = online;
    if (!online) this.outages++;
    this.onChange(online);
  }
}

/** The visible reason a queued task of a network type gives while the host reports offline. */
export const WAITING_FOR_NETWORK = 'waiting for network';
