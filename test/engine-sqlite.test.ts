import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { cleanup, noop, startService, tmpDb, waitFor, waitState } from './support/engine-harness';

afterEach(cleanup);

describe('SQLite bottlenecks and faults', () => {
  it('keeps the WAL bounded over a long run of writes with a reader attached', async () => {
    const dbPath = tmpDb();
    const svc = await startService({ dbPath, tasks: [noop], concurrency: { global: 8 }, walCheckpointMs: 50 });
    const reader = new Database(dbPath, { readonly: true });
    const count = reader.prepare('SELECT count(*) AS n FROM tasks');
    let reads = 0;
    let maxWal = 0;
    // The reader comes back every few ms (short read transactions), as a UI poller would.
    const poll = setInterval(() => {
      count.get();
      reads++;
      maxWal = Math.max(maxWal, fs.statSync(`${dbPath}-wal`, { throwIfNoEntry: false })?.size ?? 0);
    }, 2);
    for (let round = 0; round < 10; round++) {
      svc.createGraph({ tasks: Array.from({ length: 500 }, (_, i) => ({ key: `r${round}-${i}`, type: 'noop', input: { pad: 'x'.repeat(200) } })) });
      await waitFor(() => svc.stats().byState.completed === (round + 1) * 500, 'round done', 30_000);
    }
    clearInterval(poll);
    reader.close();
    expect(reads).toBeGreaterThan(20);
    // 5,000 tasks x 4 journaled transitions with 200-byte inputs would be tens of MB unchecked.
    expect(maxWal).toBeLessThan(8 * 1024 * 1024);
    const pages = (svc.store as SqliteTaskStore).db.pragma('page_count', { simple: true }) as number;
    expect(pages).toBeGreaterThan(0);
  });

  it('disk full: rolls back, reports degraded, stops claiming, and recovers when writes succeed again', async () => {
    let ran = 0;
    const work = defineTask({ type: 'work', input: z.object({ pad: z.string() }), async run() { ran++; return null; } });
    const svc = await startService({ tasks: [work], probeMs: 20 });
    const db = (svc.store as SqliteTaskStore).db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const before = svc.list({}).items.length;
    svc.queuePause(); // keep the handler's own writes out of the count below
    let failure: unknown = null;
    let succeeded = 0;
    for (let i = 0; i < 200 && failure === null; i++) {
      try {
        svc.create({ type: 'work', input: { pad: 'y'.repeat(4_000) } });
        succeeded++;
      } catch (e) {
        failure = e;
      }
    }
    expect(failure).toMatchObject({ code: 'DISK_FULL' });
    const h = svc.health();
    expect(h.ok).toBe(false);
    expect(h.degraded.join(' ')).toMatch(/disk full/);
    // Everything created before the failure is in the database; the failed create is not.
    expect(svc.list({ limit: 500 }).items.length - before).toBe(succeeded);
    svc.queueResume();
    db.pragma('max_page_count = 1073741823');
    await waitFor(() => svc.health().ok, 'recovered');
    const t = svc.create({ type: 'work', input: { pad: 'z' } });
    await waitState(svc, t.id, 'completed');
    await waitFor(() => svc.stats().byState.queued === 0 && svc.stats().running === 0, 'all drained');
    expect(ran).toBe(svc.stats().byState.completed);
  });

  it('an outcome that cannot be written stays pending and is applied after recovery, never lost', async () => {
    let release: (() => void) | null = null;
    // A 64 KB result needs new (overflow) pages however the existing ones are filled.
    const big = { blob: 'r'.repeat(64 * 1024) };
    const work = defineTask({ type: 'work', input: z.object({}), run: () => new Promise<unknown>((r) => (release = () => r(big))) });
    const svc = await startService({ tasks: [work], probeMs: 20 });
    const t = svc.create({ type: 'work', input: {} });
    await waitFor(() => release !== null, 'running');
    const db = (svc.store as SqliteTaskStore).db;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    svc.queuePause();
    release!();
    await svc.engine.whenIdle();
    expect(svc.health().degraded.join(' ')).toMatch(/disk full/);
    expect(svc.get({ id: t.id }).state).toBe('running'); // memory did not run ahead of the database
    db.pragma('max_page_count = 1073741823');
    const done = await waitState(svc, t.id, 'completed');
    expect(done.result).toEqual(big);
    expect(svc.health().ok).toBe(true);
  });
});
