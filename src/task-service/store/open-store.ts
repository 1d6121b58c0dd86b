import { migrate, type MigrateResult } from '../db/migrate';
import { openDatabase, type MovedAside, type OpenOptions } from '../db/open';
import { SqliteTaskStore } from './sqlite-store';

/** What opening the store did: the store, the migration it ran, and any file it moved aside. */
export interface OpenedStore {
  store: SqliteTaskStore;
  migration: MigrateResult;
  movedAside: MovedAside | null;
}

/** Opens (or creates) the task database, checks it, migrates it, and wraps it in a TaskStore. */
export function openTaskStore(file: string, opts: OpenOptions = {}): OpenedStore {
  const { db, movedAside } = openDatabase(file, opts);
  try {
    const migration = migrate(db);
    return { store: new SqliteTaskStore(db, { nativeBinding: opts.nativeBinding }), migration, movedAside };
  } catch (e) {
    db.close();
    throw e;
  }
}
