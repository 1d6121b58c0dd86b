import Database from 'better-sqlite3';
import { ServiceError, toServiceError } from '../../shared/errors';
import { looksLikeSqlite, moveAside } from './corrupt';
import type { Db } from './statement';

/**
 * Opens the task database with the pragmas the service relies on, refusing files that are not
 * healthy SQLite databases: those are moved aside (see corrupt.ts) and a fresh database is
 * created in their place, with a DB_CORRUPT report the service surfaces to the user.
 */

/**
 * The one bounded wait for a lock, in ms. The wait blocks the event loop (heartbeat, timers,
 * RPC), so it stays well under the ownership staleMs (10 s) and is the only wait: the engine's
 * DbGuard does not retry a busy error on top of it (that once turned 5 s into 20 s).
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 1_500;

export interface OpenOptions {
  /**
   * 'NORMAL' (default): in WAL mode a commit is durable once the WAL is fsynced at checkpoint;
   * power loss can drop the last few commits but never corrupts the database, and each commit
   * is much cheaper. 'FULL': every commit fsyncs the WAL, so a committed task survives power
   * loss too, at the cost of one fsync per transaction.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /**
   * How long a writer waits for another connection's lock before SQLITE_BUSY (default
   * DEFAULT_BUSY_TIMEOUT_MS). better-sqlite3 waits synchronously, blocking the event loop.
   */
  busyTimeoutMs?: number;
  /** Path to a better_sqlite3.node built for this runtime (the Electron build). */
  nativeBinding?: string;
  /** Clock for the corrupt-file name (tests). */
  now?: () => Date;
}

/** What open() had to do with a bad file: the error it found and where the file went. */
export interface MovedAside {
  error: ServiceError;
  files: string[];
}

export interface Opened {
  db: Db;
  movedAside: MovedAside | null;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Opened {
  let movedAside: MovedAside | null = null;
  const problem = file === ':memory:' ? null : inspect(file, opts);
  if (problem !== null) {
    const files = moveAside(file, opts.now?.() ?? new Date());
    movedAside = {
      files,
      error: new ServiceError(
        'DB_CORRUPT',
        `The task database ${file} was unusable (${problem}). It was moved to ${files[0] ?? '(nothing)'} and a new, empty database was created; tasks in the old file are not lost and can be inspected there.`,
        { file, problem, movedTo: files },
      ),
    };
  }
  const db = connect(file, opts);
  try {
    configure(db, opts);
  } catch (e) {
    db.close();
    throw toServiceError(e, 'DB_UNAVAILABLE');
  }
  return { db, movedAside };
}

function connect(file: string, opts: OpenOptions): Db {
  try {
    return new Database(file, opts.nativeBinding === undefined ? {} : { nativeBinding: opts.nativeBinding });
  } catch (e) {
    throw new ServiceError('DB_UNAVAILABLE', `Cannot open the task database ${file}: ${toServiceError(e).message}`, { file });
  }
}

function configure(db: Db, opts: OpenOptions): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
  db.pragma('foreign_keys = ON');
}

/** Why the file must not be used, or null when it is fine (or absent). */
function inspect(file: string, opts: OpenOptions): string | null {
  if (!looksLikeSqlite(file)) return 'not a SQLite database';
  let db: Db | undefined;
  try {
    // Not connect(): its wrapping would hide the SQLITE_* code this check relies on.
    db = new Database(file, opts.nativeBinding === undefined ? {} : { nativeBinding: opts.nativeBinding });
    // quick_check reads every page (O(N), no index cross-check): fast enough at startup and
    // catches torn or overwritten pages before any task is read from them.
    const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
    const first = rows[0]?.quick_check;
    if (rows.length === 1 && first === 'ok') return null;
    return `quick_check: ${rows.slice(0, 3).map((r) => r.quick_check).join('; ')}`;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return `${String(code)}: ${toServiceError(e).message}`;
    // Busy, permissions, missing native module...: not the file's fault, so it stays put.
    throw toServiceError(e, 'DB_UNAVAILABLE');
  } finally {
    db?.close();
  }
}
