import { EventEmitter } from 'node:events';
import type { Clock, ServiceChild } from '../../src/main/supervisor';
import type { HostToService } from '../../src/main/service-protocol';
import { ManualClock as EngineManualClock } from '../../src/task-service/engine/clock';

/**
 * Test doubles for the Electron edge of src/main: a manual clock (timers fire only when the
 * test advances time) and a child process built on EventEmitter that records what it was sent
 * and exits like a real one (once, with a code).
 */

/** The engine's manual clock (timers fire only when the test advances time), as src/main's Clock. */
export class ManualClock extends EngineManualClock implements Clock {
  constructor() {
    super(1_000_000);
  }

  /** Delays of pending timers, soonest first. */
  pending(): number[] {
    return this.pendingDelays();
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
