import { ServiceError, toServiceError } from '../../shared/errors';

/**
 * Database fault policy, in one place:
 *  - SQLITE_BUSY (another connection held the lock past busy_timeout): surfaced at once as
 *    DB_UNAVAILABLE ("try again shortly"). busy_timeout (db/open.ts) is the one bounded wait; a
 *    synchronous retry on top of it multiplied the time the event loop stood still (3 retries x
 *    5 s = 20 s, long enough for the heartbeat to go stale and another process to take over).
 *    Callers that can wait retry later on their own timers (heartbeat, probe, progress tick);
 *  - SQLITE_FULL / SQLITE_IOERR* (disk full, I/O error): the store's transaction has already
 *    rolled back; the guard records a degraded reason and rethrows as DISK_FULL/DB_UNAVAILABLE.
 *    The engine stops claiming while degraded and the probe clears it once the database can
 *    grow again (FaultProbe).
 */

export type DbFault = 'busy' | 'full' | 'io' | null;

export function classifyDbError(e: unknown): DbFault {
  // The store maps SQLite errors to ServiceErrors and keeps the original code in details.sqlite.
  const sqlite = (e as { details?: { sqlite?: unknown } } | null)?.details?.sqlite;
  const code = typeof sqlite === 'string' ? sqlite : (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code === 'SQLITE_FULL' || code === 'DISK_FULL') return 'full';
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY') return 'io';
  // The store may already have mapped the SQLite code; its message still names it.
  if (code === 'DB_UNAVAILABLE' && e instanceof Error) {
    if (/SQLITE_FULL|database or disk is full/i.test(e.message)) return 'full';
    if (/SQLITE_BUSY|database is locked/i.test(e.message)) return 'busy';
    return 'io';
  }
  return null;
}

export class DbGuard {
  private reason: string | null = null;

  constructor(private readonly onDegraded: (reason: string) => void) {}

  /** The current degraded reason, or null when writes work. */
  degraded(): string | null {
    return this.reason;
  }

  /**
   * Runs a write. Success does NOT clear a degraded state: many writes (a heartbeat, a progress
   * update, a setting) rewrite pages in place and succeed on a full database, and clearing on
   * them made the engine flap between claiming and degraded. Only the probe clears (recovered).
   */
  write<T>(fn: () => T): T {
    return this.run(fn);
  }

  /** The probe proved the database can grow again. */
  recovered(): void {
    this.reason = null;
  }

  /** Runs a read (does not prove the database is writable). */
  read<T>(fn: () => T): T {
    return this.run(fn);
  }

  /** Runs a write; null when the database faulted (degraded) or the change no longer applies. */
  tryWrite<T>(fn: () => T): T | null {
    try {
      return skipIllegal(() => this.write(fn));
    } catch (e) {
      if (isDbFault(e)) return null;
      throw e;
    }
  }

  /** Runs a read; null when the database faulted. */
  tryRead<T>(fn: () => T): T | null {
    try {
      return this.read(fn);
    } catch (e) {
      if (isDbFault(e)) return null;
      throw e;
    }
  }

  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      const fault = classifyDbError(e);
      if (fault === null) throw e;
      throw this.fail(fault, e);
    }
  }

  private fail(fault: Exclude<DbFault, null>, e: unknown): ServiceError {
    const detail = toServiceError(e).message;
    if (fault === 'busy') return new ServiceError('DB_UNAVAILABLE', `The task database stayed locked by another connection: ${detail}. Try again shortly.`);
    const reason = fault === 'full' ? `disk full: ${detail}` : `database I/O error: ${detail}`;
    const first = this.reason === null;
    this.reason = reason;
    if (first) this.onDegraded(reason);
    return new ServiceError(
      fault === 'full' ? 'DISK_FULL' : 'DB_UNAVAILABLE',
      fault === 'full'
        ? `The disk holding the task database is full (${detail}); nothing was written. Free some space; the service resumes by itself.`
        : `The task database could not be written (${detail}); nothing was written. The service retries by itself.`,
    );
  }
}

export function isDbFault(e: unknown): boolean {
  return e instanceof ServiceError && (e.code === 'DISK_FULL' || e.code === 'DB_UNAVAILABLE');
}

/**
 * A task changed meanwhile (e.g. cancelled by a cascade), or another boot now runs it
 * (SERVICE_LOCKED: we were taken over): the write no longer applies and wrote nothing.
 */
export function skipIllegal<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ServiceError && (e.code === 'ILLEGAL_TRANSITION' || e.code === 'CONFLICT' || e.code === 'NOT_FOUND' || e.code === 'SERVICE_LOCKED')) return null;
    throw e;
  }
}
