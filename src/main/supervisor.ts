import { FATAL_CODES, asServiceMessage, type HostToService } from './service-protocol';

/**
 * The service process lifecycle, free of Electron: it takes a `fork()` and a clock, so it runs
 * the same under Electron (utilityProcess) and under plain Node (tests, the Node host).
 *
 *   starting  --ready-->  running  --exit (not asked)-->  crashed --> restarting --> starting
 *   crashed   --5 crashes in a minute, or a fatal startup error-->  gave-up (final, says why)
 *   any       --stop()-->  stopping --drain, bounded wait, kill--> stopped (final)
 *
 * A crash restarts after a backoff of 0.5 s doubling to 30 s; the backoff resets once a child
 * has stayed up for `stableMs`, so one crash a day does not pay yesterday's delay.
 */

/** The minimal child process both utilityProcess and the Node host provide. */
export interface ServiceChild {
  readonly pid: number | undefined;
  postMessage(message: HostToService, transfer?: unknown[]): void;
  on(event: 'exit', listener: (code: number | null) => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  kill(): unknown;
}

/** Time, injectable so tests drive backoff without waiting. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Why a child went away (or never came up). */
export type ExitReason =
  | { kind: 'crashed'; code: number | null }
  | { kind: 'spawn-failed'; message: string }
  | { kind: 'start-timeout'; afterMs: number }
  | { kind: 'fatal'; code: string; message: string }
  | { kind: 'drained'; code: number | null }
  | { kind: 'killed'; afterMs: number };

/** The supervisor's state; `gave-up` and `stopped` are final. */
export type SupervisorState =
  | { kind: 'starting'; attempt: number }
  | { kind: 'running'; pid: number | undefined; since: number }
  | { kind: 'crashed'; reason: ExitReason }
  | { kind: 'restarting'; reason: ExitReason; delayMs: number; at: number }
  | { kind: 'gave-up'; reason: ExitReason; crashes: number; message: string }
  | { kind: 'stopping' }
  | { kind: 'stopped'; reason: ExitReason | null };

/** What a new child must know about the one before it. */
export interface ForkContext {
  /**
   * The boot id of the previous child, which has exited: its database owner row may be taken
   * over at once (send it as `takeoverBootId` in the config) rather than after it goes stale.
   */
  takeoverBootId: string | null;
}

export interface SupervisorOptions {
  fork: (context: ForkContext) => ServiceChild;
  clock?: Clock;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxCrashes?: number;
  crashWindowMs?: number;
  readyTimeoutMs?: number;
  drainTimeoutMs?: number;
  stableMs?: number;
}

type Listener<T> = (value: T) => void;

export class Supervisor {
  private readonly opt: Required<Omit<SupervisorOptions, 'fork' | 'clock'>>;
  private readonly clock: Clock;
  private current: SupervisorState = { kind: 'stopped', reason: null };
  private child: ServiceChild | null = null;
  private timer: unknown = null;
  private crashTimes: number[] = [];
  private backoffStep = 0;
  private attempt = 0;
  /** The boot id of the last child that said ready and has since exited. */
  private deadBootId: string | null = null;
  private stopWaiters: Array<(r: ExitReason | null) => void> = [];
  private readonly stateListeners = new Set<Listener<SupervisorState>>();
  private readonly readyListeners = new Set<Listener<ServiceChild>>();

  constructor(private readonly options: SupervisorOptions) {
    this.clock = options.clock ?? systemClock;
    this.opt = {
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      maxCrashes: options.maxCrashes ?? 5,
      crashWindowMs: options.crashWindowMs ?? 60_000,
      readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
      // Longer than the service's own bounded shutdown (5 s, service.ts), which starts only
      // once the drain request arrives: a kill before it ends leaves tasks `running`.
      drainTimeoutMs: options.drainTimeoutMs ?? 8_000,
      stableMs: options.stableMs ?? 60_000,
    };
  }

  get state(): SupervisorState {
    return this.current;
  }

  /** The child that said ready, or null between lives. */
  get service(): ServiceChild | null {
    return this.current.kind === 'running' ? this.child : null;
  }

  onState(fn: Listener<SupervisorState>): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  /** Called with each new child once it is ready: hand out ports here. */
  onReady(fn: Listener<ServiceChild>): () => void {
    this.readyListeners.add(fn);
    return () => this.readyListeners.delete(fn);
  }

  start(): void {
    if (this.current.kind !== 'stopped' && this.current.kind !== 'gave-up') return;
    this.crashTimes = [];
    this.backoffStep = 0;
    this.spawn();
  }

  /** Graceful stop: ask the child to drain, wait a bounded time, then kill it. */
  stop(): Promise<ExitReason | null> {
    const s = this.current;
    if (s.kind === 'stopped') return Promise.resolve(s.reason);
    if (s.kind === 'gave-up') return Promise.resolve(s.reason);
    const done = new Promise<ExitReason | null>((resolve) => this.stopWaiters.push(resolve));
    if (s.kind === 'stopping') return done;
    this.clearTimer();
    const child = this.child;
    if (!child) {
      this.finishStop(null);
      return done;
    }
    this.setState({ kind: 'stopping' });
    try {
      child.postMessage({ type: 'shutdown' });
    } catch {
      // A child that cannot take the message is killed below when the wait runs out.
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.child !== child) return;
      this.child = null;
      child.kill();
      this.finishStop({ kind: 'killed', afterMs: this.opt.drainTimeoutMs });
    }, this.opt.drainTimeoutMs);
    return done;
  }

  private spawn(): void {
    this.attempt += 1;
    this.setState({ kind: 'starting', attempt: this.attempt });
    let child: ServiceChild;
    try {
      child = this.options.fork({ takeoverBootId: this.deadBootId });
    } catch (e) {
      this.crashed({ kind: 'spawn-failed', message: e instanceof Error ? e.message : String(e) });
      return;
    }
    this.child = child;
    let fatal: ExitReason | null = null;
    let bootId: string | null = null;
    child.on('message', (raw) => {
      if (this.child !== child) return;
      const msg = asServiceMessage(raw);
      if (msg?.type === 'ready' && this.current.kind === 'starting') {
        bootId = msg.bootId ?? null;
        this.clearTimer();
        this.setState({ kind: 'running', pid: child.pid, since: this.clock.now() });
        for (const fn of this.readyListeners) fn(child);
      } else if (msg?.type === 'fatal') {
        fatal = { kind: 'fatal', code: msg.error.code, message: msg.error.message };
      }
    });
    child.on('exit', (code) => {
      // Gone for good, whoever ended it (even after the start timeout detached it).
      if (bootId !== null) this.deadBootId = bootId;
      if (this.child !== child) return;
      this.child = null;
      if (this.current.kind === 'stopping') {
        this.clearTimer();
        this.finishStop({ kind: 'drained', code });
        return;
      }
      if (this.current.kind === 'running' && this.clock.now() - this.current.since >= this.opt.stableMs) {
        this.backoffStep = 0;
      }
      this.clearTimer();
      this.crashed(fatal ?? { kind: 'crashed', code });
    });
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.child !== child || this.current.kind !== 'starting') return;
      // The exit that follows is ours, not a crash to count twice: detach first.
      this.child = null;
      child.kill();
      this.crashed({ kind: 'start-timeout', afterMs: this.opt.readyTimeoutMs });
    }, this.opt.readyTimeoutMs);
  }

  private crashed(reason: ExitReason): void {
    const now = this.clock.now();
    this.setState({ kind: 'crashed', reason });
    this.crashTimes = this.crashTimes.filter((t) => now - t < this.opt.crashWindowMs);
    this.crashTimes.push(now);
    if (reason.kind === 'fatal' && FATAL_CODES.has(reason.code)) {
      this.giveUp(reason, `The task service cannot start: ${reason.message} (${reason.code})`);
      return;
    }
    if (this.crashTimes.length >= this.opt.maxCrashes) {
      const windowS = Math.round(this.opt.crashWindowMs / 1000);
      this.giveUp(reason, `The task service crashed ${this.crashTimes.length} times within ${windowS} s; last: ${describeExit(reason)}`);
      return;
    }
    const delayMs = Math.min(this.opt.maxDelayMs, this.opt.baseDelayMs * 2 ** this.backoffStep);
    this.backoffStep += 1;
    this.setState({ kind: 'restarting', reason, delayMs, at: now + delayMs });
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.current.kind === 'restarting') this.spawn();
    }, delayMs);
  }

  private giveUp(reason: ExitReason, message: string): void {
    this.setState({ kind: 'gave-up', reason, crashes: this.crashTimes.length, message });
    this.resolveStop(reason);
  }

  private finishStop(reason: ExitReason | null): void {
    this.setState({ kind: 'stopped', reason });
    this.resolveStop(reason);
  }

  private resolveStop(reason: ExitReason | null): void {
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    for (const w of waiters) w(reason);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private setState(next: SupervisorState): void {
    this.current = next;
    for (const fn of this.stateListeners) fn(next);
  }
}

/** One line for a person: what happened to the service. */
export function describeExit(reason: ExitReason): string {
  switch (reason.kind) {
    case 'crashed':
      return `exited unexpectedly with code ${reason.code ?? 'unknown'}`;
    case 'spawn-failed':
      return `could not be started: ${reason.message}`;
    case 'start-timeout':
      return `did not become ready within ${reason.afterMs} ms`;
    case 'fatal':
      return `${reason.message} (${reason.code})`;
    case 'drained':
      return `stopped (code ${reason.code ?? 'unknown'})`;
    case 'killed':
      return `was killed after not stopping within ${reason.afterMs} ms`;
  }
}
