import { existsSync, readdirSync, readFileSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate } from '../src/task-service/db/migrate';
import { openDatabase } from '../src/task-service/db/open';
import { tmpDbPath } from './support/tmp';

function fill(file: string): void {
  const { db } = openDatabase(file);
  migrate(db);
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT); CREATE INDEX filler_body ON filler(body)');
  const ins = db.prepare('INSERT INTO filler (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 5000; i++) ins.run(`row ${i} ${'x'.repeat(100)}`);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

describe('openDatabase', () => {
  it('sets WAL, synchronous, busy_timeout and foreign_keys', () => {
    const file = tmpDbPath();
    const { db, movedAside } = openDatabase(file, { busyTimeoutMs: 1234 });
    expect(movedAside).toBeNull();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
    const full = openDatabase(file, { synchronous: 'FULL' });
    expect(full.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    full.db.close();
  });

  it('reopens a healthy database without moving it', () => {
    const file = tmpDbPath();
    fill(file);
    const { db, movedAside } = openDatabase(file);
    expect(movedAside).toBeNull();
    expect(db.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 5000 });
    db.close();
  });

  it('a database left with a hot WAL by a killed process is healthy, not moved aside (regression guard: crash != corrupt)', () => {
    const file = tmpDbPath();
    fill(file);
    const script = `
      const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
      const db = new Database(process.argv[1]);
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.prepare("INSERT INTO filler (body) VALUES ('written before the crash')").run();
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['-e', script, file]);
    expect(child.signal).toBe('SIGKILL');
    expect(existsSync(`${file}-wal`)).toBe(true);
    const { db, movedAside } = openDatabase(file);
    expect(movedAside).toBeNull();
    expect(db.prepare("SELECT count(*) AS n FROM filler WHERE body = 'written before the crash'").get()).toEqual({ n: 1 });
    db.close();
  });

  it('moves a non-SQLite file aside with a DB_CORRUPT report and creates a fresh database', () => {
    const file = tmpDbPath();
    writeFileSync(file, 'this is a text file, not a database\n'.repeat(100));
    writeFileSync(`${file}-wal`, 'stale wal');
    const original = readFileSync(file);
    const { db, movedAside } = openDatabase(file, { now: () => new Date('2026-01-02T03:04:05.678Z') });
    expect(movedAside?.error.code).toBe('DB_CORRUPT');
    expect(movedAside?.error.message).toContain('not a SQLite database');
    const aside = `${file}.corrupt-2026-01-02T03-04-05-678Z`;
    expect(movedAside?.files).toEqual([aside, `${aside}-wal`]);
    expect(readFileSync(aside)).toEqual(original); // never deleted or altered
    expect(readFileSync(`${aside}-wal`, 'utf8')).toBe('stale wal');
    migrate(db);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'tasks'").get()).toEqual({ n: 1 });
    db.close();
  });

  it('moves aside a SQLite file whose pages are overwritten (fails quick_check)', () => {
    const file = tmpDbPath();
    fill(file);
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    // Keep page 1 (header + schema) intact so the damage is only visible to quick_check.
    const junk = Buffer.alloc(4096 * 8, 0xa5);
    writeSync(fd, junk, 0, junk.length, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const { db, movedAside } = openDatabase(file);
    expect(movedAside?.error.code).toBe('DB_CORRUPT');
    expect(movedAside?.files[0]).toMatch(/\.corrupt-/);
    expect(existsSync(movedAside!.files[0]!)).toBe(true);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'filler'").get()).toEqual({ n: 0 });
    db.close();
    expect(readdirSync(dirname(file)).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  it('two bad files in the same millisecond get distinct names', () => {
    const file = tmpDbPath();
    const now = () => new Date('2026-01-02T03:04:05.678Z');
    writeFileSync(file, 'garbage one');
    openDatabase(file, { now }).db.close();
    writeFileSync(file, 'garbage two');
    const second = openDatabase(file, { now });
    second.db.close();
    expect(second.movedAside?.files[0]).toMatch(/corrupt-2026-01-02T03-04-05-678Z-1$/);
    expect(readFileSync(second.movedAside!.files[0]!, 'utf8')).toBe('garbage two');
  });
});
