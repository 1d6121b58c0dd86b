import { EventEmitter } from 'node:events';
import type { Clock, ServiceChild } from '../../src/main/supervisor';
import type { HostToService } from '../../src/main/service-protocol';

/**
 * Test doubles for the Electron edge of src/main: a manual clock (timers fire only when the
 * test advances time) and a child process built on EventEmitter that records what it was sent
 * and exits like a real one (once, with a code).
 */

export class ManualClock implements Clock {
  private t = 1_000_000;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Delays of pending timers, soonest first. */
  pending(): number[] {
    return [...this.timers.values()].map((x) => x.at - this.t).sort((a, b) => a - b);
  }

  /** Moves time forward, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}

let nextPid = 4000;

export class FakeChild extends EventEmitter implements ServiceChild {
  readonly pid = nextPid++;
  readonly sent: Array<{ message: HostToService; transfer: unknown[] }> = [];
  killed = false;
  exited = false;

  postMessage(message: HostToService, transfer: unknown[] = []): void {
    if (this.exited) throw new Error('child has exited');
    this.sent.push({ message, transfer });
    this.emit('posted', message, transfer);
  }

  /** Like a real process: kill makes it exit (asynchronously, once). */
  kill(): boolean {
    if (this.exited) return false;
    this.killed = true;
    queueMicrotask(() => this.exit(null));
    return true;
  }

  ready(): void {
    this.emit('message', { type: 'ready', bootId: `boot-${this.pid}` });
  }

  exit(code: number | null): void {
    if (this.exited) return;
    this.exited = true;
    this.emit('exit', code);
  }
}
