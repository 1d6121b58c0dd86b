import type { ServiceChild } from './supervisor';

/**
 * Hands out service connections: one MessageChannel per window and one for main. One end goes
 * to the service as `{type:'connect', clientId}`, the other to the window (or to main).
 * Electron-free: the channel factory and the "send to window" step are injected, so tests use
 * worker_threads MessageChannel and the app uses MessageChannelMain + webContents.postMessage.
 *
 * Only windows registered at creation get ports (Electron's checklist: never hand a capability
 * to a frame you did not create). A new service life hands every live window a fresh port;
 * a window asking while the service is down gets one as soon as it is ready.
 */

export interface Channel<P> {
  port1: P;
  port2: P;
}

export interface BrokerDeps<W, P> {
  createChannel(): Channel<P>;
  /** Transfers `port` to the window's page (webContents.postMessage('service-port', null, [port])). */
  sendToWindow(win: W, port: P): void;
  /** A stable id per window (webContents.id). */
  windowId(win: W): number;
  /** Closes a port main still owns (its own client end from a previous service life). */
  closePort(port: P): void;
}

/** Why a window did not get a port. */
export type ConnectOutcome = 'connected' | 'pending' | 'refused';

export class PortBroker<W, P> {
  private readonly windows = new Map<number, W>();
  private service: ServiceChild | null = null;
  private generation = 0;
  private seq = 0;
  private mainPort: P | null = null;
  private readonly mainListeners = new Set<(port: P, clientId: string) => void>();

  constructor(private readonly deps: BrokerDeps<W, P>) {}

  /** Marks a window as ours; call right after creating it, before it loads anything. */
  addWindow(win: W): void {
    this.windows.set(this.deps.windowId(win), win);
  }

  /** Forgets a closed window: it gets no port on the next restart. */
  removeWindow(id: number): void {
    this.windows.delete(id);
  }

  isOurs(id: number): boolean {
    return this.windows.has(id);
  }

  get windowCount(): number {
    return this.windows.size;
  }

  /** Main's own client port for the current service life, if any. */
  get currentMainPort(): P | null {
    return this.mainPort;
  }

  /** Called with main's new port each time the service (re)starts. */
  onMainPort(fn: (port: P, clientId: string) => void): () => void {
    this.mainListeners.add(fn);
    return () => this.mainListeners.delete(fn);
  }

  /** A ready service: connect main and every live window to it. */
  attach(service: ServiceChild): void {
    this.service = service;
    this.generation += 1;
    if (this.mainPort !== null) this.deps.closePort(this.mainPort);
    this.mainPort = null;
    const clientId = `main-${this.generation}`;
    const port = this.connect(clientId);
    if (port !== null) {
      this.mainPort = port;
      for (const fn of this.mainListeners) fn(port, clientId);
    }
    for (const win of this.windows.values()) this.connectWindow(win);
  }

  /** The service went away: nothing is sent until the next attach. */
  detach(): void {
    this.service = null;
  }

  /**
   * A window asks for (or is due) a port. `refused` for windows we did not create;
   * `pending` while the service is down (it will get one on attach).
   */
  connectWindow(win: W): ConnectOutcome {
    const id = this.deps.windowId(win);
    if (this.windows.get(id) !== win) return 'refused';
    const port = this.connect(`window-${id}-${this.generation}.${++this.seq}`);
    if (port === null) return 'pending';
    this.deps.sendToWindow(win, port);
    return 'connected';
  }

  /** Creates a channel, gives port1 to the service; returns port2, or null if no service. */
  private connect(clientId: string): P | null {
    const service = this.service;
    if (service === null) return null;
    const { port1, port2 } = this.deps.createChannel();
    try {
      service.postMessage({ type: 'connect', clientId }, [port1]);
    } catch {
      // The service died between ready and now; its exit will bring a new attach.
      this.deps.closePort(port1);
      this.deps.closePort(port2);
      return null;
    }
    return port2;
  }
}
