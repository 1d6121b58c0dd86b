import { describe, expect, it } from 'vitest';
import { openTaskStore } from '../src/task-service/store/open-store';
import { errorOf } from './support/store-fixture';
import { tmpDbPath } from './support/tmp';

describe('single owner', () => {
  it('a second boot on the same file gets SERVICE_LOCKED naming the holder until the lease goes stale', () => {
    const file = tmpDbPath();
    const a = openTaskStore(file).store;
    const b = openTaskStore(file).store;
    try {
      a.owner.acquire({ bootId: 'boot-a', pid: 111 }, 1000, 5000);
      a.owner.acquire({ bootId: 'boot-a', pid: 111 }, 1100, 5000); // re-acquire by the holder is fine
      const e = errorOf(() => b.owner.acquire({ bootId: 'boot-b', pid: 222 }, 2000, 5000));
      expect(e.code).toBe('SERVICE_LOCKED');
      expect(e.message).toContain('pid 111');
      expect(e.details).toMatchObject({ pid: 111, bootId: 'boot-a' });
      a.owner.heartbeat('boot-a', 4000);
      expect(errorOf(() => b.owner.acquire({ bootId: 'boot-b', pid: 222 }, 8000, 5000)).code).toBe('SERVICE_LOCKED');
      // a crashed owner stops heartbeating: after staleMs the next boot takes over
      b.owner.acquire({ bootId: 'boot-b', pid: 222 }, 9001, 5000);
      const lost = errorOf(() => a.owner.heartbeat('boot-a', 9002));
      expect(lost.code).toBe('SERVICE_LOCKED');
      expect(lost.details).toMatchObject({ bootId: 'boot-b' });
      b.owner.release('boot-b');
      a.owner.acquire({ bootId: 'boot-a', pid: 111 }, 9003, 5000);
    } finally {
      a.close();
      b.close();
    }
  });

  it('a database file newer than the code is refused on open and left untouched', () => {
    const file = tmpDbPath();
    const { store } = openTaskStore(file);
    store.db.pragma('user_version = 999');
    store.close();
    expect(errorOf(() => openTaskStore(file)).code).toBe('SCHEMA_TOO_NEW');
    const again = errorOf(() => openTaskStore(file));
    expect(again.details).toMatchObject({ databaseVersion: 999 });
  });
});

describe('single owner after a crash', () => {
  it('takes over at once when the holder process is gone, and still refuses a live holder', () => {
    const file = tmpDbPath();
    const a = openTaskStore(file).store;
    const b = openTaskStore(file).store;
    try {
      a.owner.acquire({ bootId: 'boot-a', pid: 111 }, 1000, 5000);
      expect(errorOf(() => b.owner.acquire({ bootId: 'boot-b', pid: 222 }, 1500, 5000, () => true)).code).toBe('SERVICE_LOCKED');
      const asked: number[] = [];
      b.owner.acquire({ bootId: 'boot-b', pid: 222 }, 1600, 5000, (pid) => (asked.push(pid), false));
      expect(asked).toEqual([111]);
      expect(errorOf(() => a.owner.heartbeat('boot-a', 1700)).code).toBe('SERVICE_LOCKED');
    } finally {
      a.close();
      b.close();
    }
  });
});
