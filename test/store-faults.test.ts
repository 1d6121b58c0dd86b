import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openTaskStore } from '../src/task-service/store/open-store';
import { errorOf, snapshot, tmpStore } from './support/store-fixture';
import { tmpDbPath } from './support/tmp';

describe('database faults map to service codes and roll back', () => {
  it('a write lock held by another connection is DB_UNAVAILABLE after busy_timeout, and nothing is written', () => {
    const file = tmpDbPath();
    const { store } = openTaskStore(file, { busyTimeoutMs: 50 });
    const other = new Database(file);
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      const e = errorOf(() => store.create({ type: 'x', input: 1 }, 1));
      expect(e.code).toBe('DB_UNAVAILABLE');
      expect(e.details).toMatchObject({ sqlite: 'SQLITE_BUSY' });
      other.prepare('ROLLBACK').run();
      expect(store.list({}).items).toEqual([]);
      expect(store.create({ type: 'x', input: 1 }, 2).task.state).toBe('queued'); // recovers once the lock is gone
    } finally {
      other.close();
      store.close();
    }
  });

  it('a full database (max_page_count reached) is DISK_FULL and the transaction rolls back whole', () => {
    const store = tmpStore();
    store.create({ type: 'x', input: 1 }, 1);
    const before = snapshot(store);
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);
    const e = errorOf(() => store.createGraph({ tasks: Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, type: 'x', input: 'y'.repeat(2000) })) }, 2));
    expect(e.code).toBe('DISK_FULL');
    store.db.pragma('max_page_count = 1073741823');
    expect(snapshot(store)).toBe(before);
  });
});

describe('nativeBinding', () => {
  it('loads the given better-sqlite3 build, and a missing one is DB_UNAVAILABLE', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const binding = require.resolve('better-sqlite3/build/Release/better_sqlite3.node');
    const { store } = openTaskStore(tmpDbPath(), { nativeBinding: binding });
    expect(store.create({ type: 'x', input: 1 }, 1).deduplicated).toBe(false);
    store.close();
    expect(errorOf(() => openTaskStore(tmpDbPath(), { nativeBinding: '/nonexistent/better_sqlite3.node' })).code).toBe('DB_UNAVAILABLE');
  });
});
