import { ServiceError } from '../../shared/errors';
import { MIGRATIONS, type Migration } from './migrations/index';
import type { Db } from './statement';

/**
 * The migration runner. Each migration runs in its own IMMEDIATE transaction together with its
 * row in schema_migrations and PRAGMA user_version, so a crash leaves the database at exactly
 * one recorded version. The version is re-read inside each transaction: a second process
 * migrating the same file at the same moment waits on the write lock and then skips the step.
 */

const BOOTSTRAP = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
) STRICT`;

export interface MigrateResult {
  from: number;
  to: number;
  applied: number[];
}

export interface MigrateOptions {
  /** Defaults to every known migration. Tests pass a prefix to build older databases. */
  migrations?: readonly Migration[];
  /** Stop after this version (tests: build a database "from an earlier release"). */
  upTo?: number;
  now?: number;
}

/** The version recorded in the database (0 for a fresh file). */
export function currentVersion(db: Db): number {
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  const recorded = hasTable
    ? ((db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0)
    : 0;
  // user_version is checked too: a future build might record versions differently, and
  // either signal alone must be enough to refuse a newer database.
  const userVersion = db.pragma('user_version', { simple: true }) as number;
  return Math.max(recorded, userVersion);
}

export function migrate(db: Db, opts: MigrateOptions = {}): MigrateResult {
  const migrations = opts.migrations ?? MIGRATIONS;
  const latest = migrations.length;
  const target = Math.min(opts.upTo ?? latest, latest);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new ServiceError('INTERNAL', `Migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });

  const from = currentVersion(db);
  if (from > latest) {
    throw new ServiceError(
      'SCHEMA_TOO_NEW',
      `The database ${db.name} is at schema version ${from}, but this build only knows versions up to ${latest}. ` +
        'It was written by a newer Playlistify: install that version (or newer) again. ' +
        'To start over with this version instead, move the database file aside; it is not changed.',
      { databaseVersion: from, codeVersion: latest, file: db.name },
    );
  }

  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version > target) break;
    // foreign_keys cannot change inside a transaction, so it is switched around it.
    const fkWasOn = db.pragma('foreign_keys', { simple: true }) === 1;
    if (m.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      if (runOne(db, m, opts.now)) applied.push(m.version);
    } finally {
      if (m.rebuildsTables && fkWasOn) db.pragma('foreign_keys = ON');
    }
  }
  return { from, to: currentVersion(db), applied };
}

/** One migration in its own IMMEDIATE transaction; false when another process already ran it. */
function runOne(db: Db, m: Migration, now: number | undefined): boolean {
  return db
    .transaction(() => {
      db.exec(BOOTSTRAP);
      if (currentVersion(db) >= m.version) return false;
      db.exec(m.sql);
      if (m.rebuildsTables) {
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new ServiceError('INTERNAL', `Migration ${m.name} left ${broken.length} broken references; nothing was changed`, { broken: broken.slice(0, 5) });
      }
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now ?? Date.now());
      db.pragma(`user_version = ${m.version}`);
      return true;
    })
    .immediate();
}
