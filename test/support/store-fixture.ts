import { createHash } from 'node:crypto';
import { ServiceError } from '../../src/shared/errors';
import { onTestFinished } from 'vitest';
import { openTaskStore } from '../../src/task-service/store/open-store';
import type { SqliteTaskStore } from '../../src/task-service/store/sqlite-store';
import { tmpDbPath } from './tmp';

/** A migrated store on a fresh file, closed after the current test. */
export function tmpStore(): SqliteTaskStore {
  const { store } = openTaskStore(tmpDbPath());
  onTestFinished(() => store.close());
  return store;
}

/** A digest of every row of every store table: equal before and after means nothing was written. */
export function snapshot(store: SqliteTaskStore): string {
  const h = createHash('sha256');
  for (const table of ['tasks', 'task_deps', 'task_events', 'owner']) {
    const rows = store.db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all();
    h.update(`${table}:${JSON.stringify(rows)}\n`);
  }
  h.update(`seq:${store.lastSeq()}`);
  return h.digest('hex');
}

/** The ServiceError fn throws (fails the test if it throws nothing or something else). */
export function errorOf(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw new Error(`expected a ServiceError, got ${String(e)}`);
  }
  throw new Error('expected a ServiceError, but nothing was thrown');
}
