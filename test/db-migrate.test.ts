import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { currentVersion, migrate } from '../src/task-service/db/migrate';
import { LATEST_VERSION, MIGRATIONS } from '../src/task-service/db/migrations/index';
import { openDatabase } from '../src/task-service/db/open';
import { dumpSchema } from '../src/task-service/db/schema';
import { ServiceError } from '../src/shared/errors';
import { tmpDbPath } from './support/tmp';

const SCHEMA_FILE = fileURLToPath(new URL('../src/task-service/db/schema.sql', import.meta.url));

describe('migrations', () => {
  it('migrates an empty database to the latest version and records each step', () => {
    const { db } = openDatabase(tmpDbPath());
    const result = migrate(db, { now: 42 });
    expect(result).toEqual({ from: 0, to: LATEST_VERSION, applied: MIGRATIONS.map((m) => m.version) });
    expect(db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all()).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: 42 })),
    );
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(migrate(db)).toEqual({ from: LATEST_VERSION, to: LATEST_VERSION, applied: [] });
    db.close();
  });

  for (let k = 1; k < LATEST_VERSION; k++) {
    it(`migrates from version ${k} (an earlier release) to the latest, reaching the same schema`, () => {
      const file = tmpDbPath();
      const old = openDatabase(file).db;
      expect(migrate(old, { upTo: k }).to).toBe(k);
      old.prepare(
        "INSERT INTO tasks (id, type, title, state, priority, input, max_attempts, run_at, created_at, updated_at) VALUES ('t1', 'x', '', 'queued', 0, 'null', 1, 0, 0, 0)",
      ).run();
      old.close();
      const { db } = openDatabase(file);
      const result = migrate(db);
      expect(result.from).toBe(k);
      expect(result.applied).toEqual(MIGRATIONS.filter((m) => m.version > k).map((m) => m.version));
      expect(db.prepare('SELECT id FROM tasks').all()).toEqual([{ id: 't1' }]); // data survives
      const fresh = openDatabase(tmpDbPath('fresh.db')).db;
      migrate(fresh);
      expect(dumpSchema(db)).toBe(dumpSchema(fresh));
      fresh.close();
      db.close();
    });
  }

  it('refuses a database newer than the code with SCHEMA_TOO_NEW and leaves it unchanged', () => {
    const file = tmpDbPath();
    const { db } = openDatabase(file);
    migrate(db);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from-the-future', 0)").run(LATEST_VERSION + 1);
    const before = dumpSchema(db);
    let error: unknown;
    try {
      migrate(db);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe('SCHEMA_TOO_NEW');
    expect((error as ServiceError).message).toMatch(/newer Playlistify: install/);
    expect((error as ServiceError).details).toMatchObject({ databaseVersion: LATEST_VERSION + 1, codeVersion: LATEST_VERSION });
    expect(dumpSchema(db)).toBe(before);
    db.close();
  });

  it('refuses a database whose user_version alone is newer', () => {
    const { db } = openDatabase(tmpDbPath());
    db.pragma(`user_version = ${LATEST_VERSION + 5}`);
    expect(currentVersion(db)).toBe(LATEST_VERSION + 5);
    expect(() => migrate(db)).toThrowError(/schema version/);
    db.close();
  });

  it('rolls back a failing migration entirely, recording nothing', () => {
    const { db } = openDatabase(tmpDbPath());
    const broken = [...MIGRATIONS, { version: LATEST_VERSION + 1, name: 'broken', sql: 'CREATE TABLE half (x); SELECT * FROM no_such_table;' }];
    expect(() => migrate(db, { migrations: broken })).toThrow(/no_such_table/);
    expect(currentVersion(db)).toBe(LATEST_VERSION);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('the committed schema.sql equals the migrated schema (regenerate: npx tsx src/task-service/db/dump-schema.ts)', () => {
    const { db } = openDatabase(tmpDbPath());
    migrate(db);
    expect(dumpSchema(db)).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
    db.close();
  });

  it('migration 007 keeps every journal entry and never hands out a seq used before it (the old sqlite_sequence is the floor)', () => {
    const file = tmpDbPath();
    const old = openDatabase(file).db;
    migrate(old, { upTo: 6 });
    const insert = old.prepare("INSERT INTO task_events (task_id, kind, to_state, at) VALUES (?, 'state', 'queued', ?)");
    for (let i = 1; i <= 5; i++) insert.run(`t${i}`, i);
    // the two newest entries went (retention): AUTOINCREMENT remembered seq 5 in sqlite_sequence
    old.prepare('DELETE FROM task_events WHERE seq > 3').run();
    old.close();
    const { db } = openDatabase(file);
    migrate(db);
    expect(db.prepare('SELECT seq, task_id FROM task_events ORDER BY seq').all()).toEqual([
      { seq: 1, task_id: 't1' },
      { seq: 2, task_id: 't2' },
      { seq: 3, task_id: 't3' },
    ]);
    const next = db
      .prepare("INSERT INTO task_events (seq, task_id, kind, at) VALUES (max(coalesce((SELECT max(seq) FROM task_events), 0), (SELECT seq FROM task_events_floor)) + 1, 't6', 'title', 6) RETURNING seq")
      .get();
    expect(next).toEqual({ seq: 6 });
    db.prepare("INSERT INTO task_events (task_id, kind, at) VALUES ('t6', 'log', 7)").run(); // the new kinds pass the CHECK
    expect(() => db.prepare("INSERT INTO task_events (task_id, kind, at) VALUES ('t6', 'bogus', 8)").run()).toThrow(/CHECK/);
    db.close();
  });

  it('migration 008 rebuilds tasks keeping every row, edge and reference, with foreign keys back on', () => {
    const file = tmpDbPath();
    const old = openDatabase(file).db;
    migrate(old, { upTo: 7 });
    const insert = old.prepare(
      `INSERT INTO tasks (id, type, title, state, priority, parent_id, spawn_key, input, max_attempts, run_at, created_at, updated_at, refunded_attempts)
       VALUES (?, 'x', '', ?, 0, ?, ?, '{}', 3, 0, 0, 0, ?)`,
    );
    insert.run('p', 'waiting', null, null, 0);
    insert.run('c', 'queued', 'p', 'k1', 2);
    insert.run('d', 'blocked', null, null, 0);
    old.prepare("INSERT INTO task_deps (task_id, depends_on_id) VALUES ('d', 'c')").run();
    // the counters Task.attempt and CRASH_LOOP read, and the run's saved state
    old.prepare(`UPDATE tasks SET attempt = 3, recoveries = 2, checkpoint = '{"at":5}', progress = '{"ratio":0.5}' WHERE id = 'c'`).run();
    old.close();
    const { db } = openDatabase(file);
    migrate(db);
    expect(db.prepare('SELECT id, state, parent_id, spawn_key, refunded_attempts FROM tasks ORDER BY id').all()).toEqual([
      { id: 'c', state: 'queued', parent_id: 'p', spawn_key: 'k1', refunded_attempts: 2 },
      { id: 'd', state: 'blocked', parent_id: null, spawn_key: null, refunded_attempts: 0 },
      { id: 'p', state: 'waiting', parent_id: null, spawn_key: null, refunded_attempts: 0 },
    ]);
    expect(db.prepare('SELECT task_id, depends_on_id FROM task_deps').all()).toEqual([{ task_id: 'd', depends_on_id: 'c' }]);
    expect(db.prepare("SELECT attempt, recoveries, checkpoint, progress FROM tasks WHERE id = 'c'").get()).toEqual({
      attempt: 3,
      recoveries: 2,
      checkpoint: '{"at":5}',
      progress: '{"ratio":0.5}',
    });
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // references hold on the rebuilt table: a dangling parent is refused, a delete cascades to edges
    const again = db.prepare(
      `INSERT INTO tasks (id, type, title, state, priority, parent_id, spawn_key, input, max_attempts, run_at, created_at, updated_at)
       VALUES (?, 'x', '', 'queued', 0, ?, ?, '{}', 3, 0, 0, 0)`,
    );
    expect(() => again.run('e', 'nope', null)).toThrow(/FOREIGN KEY/);
    expect(() => again.run('c2', 'p', 'k1')).toThrow(/UNIQUE/);
    db.prepare("DELETE FROM tasks WHERE id = 'd'").run();
    expect(db.prepare('SELECT count(*) AS n FROM task_deps').get()).toEqual({ n: 0 });
    db.close();
  });
});
