import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * What the queue benchmark drives: three queues behind one shape, each on a fresh file with the
 * same pragmas (WAL + synchronous=NORMAL), each processing no-op jobs.
 */
export interface Contender {
  name: string;
  /** Enqueues n jobs one call at a time (nothing runs meanwhile). */
  enqueueOne(n: number): Promise<void> | void;
  /** Enqueues n jobs through the queue's bulk path (untimed setup for the process runs, or timed bulk). */
  enqueueBulk(n: number): Promise<void> | void;
  /** Processes every queued job with `concurrency` jobs in flight; resolves when all are durable. */
  process(n: number, concurrency: number): Promise<void>;
  /** The database file (its -wal beside it is measured). */
  file: string;
  close(): Promise<void> | void;
}

export type Opener = () => Promise<Contender> | Contender;

/** A fresh directory per run; removed with the contender. */
export function tmpFile(prefix: string): { file: string; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${prefix}-`));
  return { file: path.join(dir, 'queue.db'), dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The shared pragmas. */
export function openWal(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/** Yields to the event loop the way a real async handler would (a macrotask, not a microtask). */
export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
