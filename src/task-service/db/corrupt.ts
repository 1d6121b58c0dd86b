import { closeSync, existsSync, openSync, readSync, renameSync, statSync } from 'node:fs';

/**
 * Detecting and moving aside a database file we must not use. A bad file is never deleted
 * (the user may want to recover it) and never silently reused: it is renamed with its -wal
 * and -shm companions, keeping the same suffixes so SQLite tools can still open the pair.
 */

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** True when the file is absent, empty (SQLite treats both as a new database) or starts with the SQLite header. */
export function looksLikeSqlite(file: string): boolean {
  if (!existsSync(file)) return true;
  if (statSync(file).size === 0) return true;
  const buf = Buffer.alloc(HEADER.length);
  const fd = openSync(file, 'r');
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return n === HEADER.length && buf.equals(HEADER);
  } finally {
    closeSync(fd);
  }
}

/** Renames `file` (and its -wal/-shm) to `<file>.corrupt-<time>`; returns the new paths. */
export function moveAside(file: string, now: Date = new Date()): string[] {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let base = `${file}.corrupt-${stamp}`;
  // Two failures within one millisecond (tests, a crash loop) must not overwrite each other.
  for (let i = 1; existsSync(base); i++) base = `${file}.corrupt-${stamp}-${i}`;
  const moved: string[] = [];
  for (const suffix of ['', '-wal', '-shm']) {
    if (!existsSync(file + suffix)) continue;
    renameSync(file + suffix, base + suffix);
    moved.push(base + suffix);
  }
  return moved;
}
