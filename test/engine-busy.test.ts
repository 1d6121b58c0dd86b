import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BUSY_TIMEOUT_MS } from '../src/task-service/db/open';
import { openTaskStore } from '../src/task-service/store/open-store';
import type { TaskStore } from '../src/task-service/store/types';
import { cleanup, noop, startService, tmpDb } from './support/engine-harness';

/**
 * Regression (a busy database blocked the event loop ~20 s): the engine's guard retried a busy
 * write 3 times on top of SQLite's own busy_timeout of 5 s, so one locked call froze the process
 * four times over, long enough for the heartbeat to go stale. Now busy_timeout is the only wait.
 * (Counted in calls, not measured in time.)
 */

afterEach(cleanup);

/** A store whose create() calls are counted: each call is one busy_timeout wait when locked. */
function countingStore(path: string, calls: { create: number }): TaskStore {
  const store = openTaskStore(path, { busyTimeoutMs: 20 }).store;
  return new Proxy(store, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (key === 'create') return (...args: Parameters<TaskStore['create']>) => (calls.create++, target.create(...args));
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('a database locked by another connection', () => {
  it('costs one bounded busy wait per call, then DB_UNAVAILABLE with nothing written; the next call after the lock works', async () => {
    const dbPath = tmpDb();
    const calls = { create: 0 };
    const svc = await startService({ dbPath, tasks: [noop], retention: false, openStore: (p) => countingStore(p, calls) });
    const rival = new Database(dbPath);
    try {
      rival.prepare('BEGIN IMMEDIATE').run();
      expect(() => svc.create({ type: 'noop', input: {} })).toThrow(expect.objectContaining({ code: 'DB_UNAVAILABLE' }));
      expect(calls.create).toBe(1);
      rival.prepare('ROLLBACK').run();
    } finally {
      rival.close();
    }
    expect(svc.list().items).toEqual([]);
    expect(svc.create({ type: 'noop', input: {} }).state).toBe('queued');
    expect(calls.create).toBe(2);
  });

  it('waits by default at most a short, fixed time: well under the ownership staleMs (10 s)', () => {
    const { store } = openTaskStore(tmpDb());
    try {
      expect(store.db.pragma('busy_timeout', { simple: true })).toBe(DEFAULT_BUSY_TIMEOUT_MS);
      expect(DEFAULT_BUSY_TIMEOUT_MS).toBeLessThanOrEqual(2_000);
    } finally {
      store.close();
    }
  });
});
