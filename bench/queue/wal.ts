import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Contender } from './contender';

/**
 * WAL frames (pages) a phase writes. A second connection first truncates the WAL, then holds a
 * read transaction that started before any new frame: no checkpoint (SQLite's automatic one or
 * the service's own) can then copy frames back or restart the log, so the -wal file only grows
 * and its size counts every frame written: (size - 32-byte header) / (page size + 24-byte frame
 * header). Timing runs never hold such a reader; this is a separate, untimed pass.
 */
export async function walFrames(c: Contender, phase: () => Promise<void> | void): Promise<number> {
  const reader = new Database(c.file);
  try {
    reader.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = reader.pragma('page_size', { simple: true }) as number;
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM sqlite_master').get();
    await phase();
    const size = fs.statSync(`${c.file}-wal`).size;
    reader.exec('COMMIT');
    return Math.max(0, size - 32) / (pageSize + 24);
  } finally {
    reader.close();
  }
}
