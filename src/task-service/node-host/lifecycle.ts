/**
 * The Node host's child lifecycle as typed events (STYLE.md 8): exactly one `exit` per child,
 * whose reason says who ended it, so a supervisor can tell a crash from a stop.
 */

/** Why the child is gone. */
export type ExitReason =
  /** Exited after stop() asked it to drain, with code 0. */
  | 'stopped'
  /** Did not exit within the drain timeout after stop(); the host SIGKILLed it. */
  | 'stop-timeout'
  /** Ended by the host's own kill(signal). */
  | 'killed'
  /** Exited with code 0 without being asked. */
  | 'exited'
  /** A non-zero exit code, or a signal nobody on this side sent. */
  | 'crashed'
  /** The process could not be started at all. */
  | 'spawn-failed';

export interface HostExit {
  reason: ExitReason;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The spawn error, for 'spawn-failed'. */
  error?: Error;
}

export type HostEvent =
  | { type: 'spawned'; pid: number }
  /** The child's parentPort stand-in is listening; queued messages have been flushed. */
  | { type: 'ready' }
  | { type: 'exit'; exit: HostExit };

export function exitReason(opts: {
  code: number | null;
  signal: NodeJS.Signals | null;
  stopRequested: boolean;
  stopTimedOut: boolean;
  killSent: boolean;
}): ExitReason {
  if (opts.stopTimedOut) return 'stop-timeout';
  if (opts.killSent) return 'killed';
  if (opts.code === 0) return opts.stopRequested ? 'stopped' : 'exited';
  return 'crashed';
}
