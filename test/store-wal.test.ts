import { spawnSync } from 'node:child_process';
import fs, { statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { migrate } from '../src/task-service/db/migrate';
import { openDatabase } from '../src/task-service/db/open';
import { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { SAFETY_PAGES } from '../src/task-service/store/wal';
import { tmpStore } from './support/store-fixture';
import { tmpDbPath, tmpDir } from './support/tmp';

const walBytes = (file: string) => statSync(`${file}-wal`).size;

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe('WAL checkpoints off the request path', () => {
  it('no commit checkpoints by itself: SQLite’s automatic checkpoint is only a far-away safety valve', () => {
    const store = tmpStore();
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(SAFETY_PAGES);
  });

  it('once writes pause, a timer checkpoints, so the next writes reuse the WAL from its start instead of growing it', async () => {
    const store = tmpStore();
    for (let i = 0; i < 50; i++) store.create({ type: 'x', input: i }, i);
    const grown = walBytes(store.db.name);
    expect(grown).toBeGreaterThan(0);
    expect(store.wal.ran).toBe(0); // not during the writes: they never paused
    await waitFor(() => store.wal.ran === 1);
    expect(store.wal.ranOnThread).toBe(1); // on the WAL thread, not on the writer's
    for (let i = 0; i < 50; i++) store.create({ type: 'x', input: i }, 100 + i);
    expect(walBytes(store.db.name)).toBeLessThanOrEqual(grown);
  });

  it('a process stopping while the WAL thread checkpoints waits for it, then exits by itself', () => {
    // Regression: the thread was never referenced, so a process whose only work left was
    // awaiting the checkpoint (a service's stop) exited under it, its promise unsettled (code 13).
    const dir = tmpDir('wal-exit-');
    const script = path.join(dir, 'stop-during-checkpoint.mts');
    const open = pathToFileURL(path.resolve('src/task-service/store/open-store.ts')).href;
    fs.writeFileSync(
      script,
      `import { openTaskStore } from ${JSON.stringify(open)};
const { store } = openTaskStore(${JSON.stringify(path.join(dir, 'q.db'))});
for (let i = 0; i < 2000; i++) store.create({ type: 'x', input: i }, i);
// The timer starts a checkpoint on the thread once writes pause: write, pause, until one is under way.
for (let i = 0; ; i++) {
  store.create({ type: 'x', input: i }, 3000 + i);
  await new Promise((r) => setTimeout(r, 12));
  let settled = false;
  void store.wal.idle().then(() => (settled = true));
  await Promise.resolve();
  if (!settled) break; // idle() is pending: a checkpoint runs on the thread right now
}
await store.wal.idle();
store.close();
console.log('stopped after', store.wal.ran, 'checkpoints');
`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.error).toBeUndefined(); // a timeout would mean the thread kept the process alive
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^stopped after [1-9]\d* checkpoints/);
  });

  it('checkpoints on the writer’s thread when the WAL thread cannot open the database', async () => {
    const { db } = openDatabase(tmpDbPath());
    migrate(db);
    const store = new SqliteTaskStore(db, { nativeBinding: '/nonexistent/better_sqlite3.node' });
    onTestFinished(() => store.close());
    // Writes that pause: the first pause starts the thread (which dies), a later one checkpoints inline.
    for (let i = 0; i < 500 && store.wal.ran === 0; i++) {
      store.create({ type: 'x', input: i }, i);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(store.wal.ran).toBeGreaterThanOrEqual(1);
    expect(store.wal.ranOnThread).toBe(0);
    expect(store.wal.checkpoint('PASSIVE').busy).toBe(false);
  });
});

/**
 * Frames written to the WAL by `fn`: a reader that began before holds every frame in place (no
 * checkpoint can copy them back or restart the log), so the -wal file only grows.
 */
function framesWrittenBy(file: string, fn: () => void): number {
  const reader = new Database(file);
  try {
    reader.pragma('wal_checkpoint(TRUNCATE)');
    const page = reader.pragma('page_size', { simple: true }) as number;
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM sqlite_master').get();
    fn();
    const frames = (walBytes(file) - 32) / (page + 24);
    reader.exec('COMMIT');
    return frames;
  } finally {
    reader.close();
  }
}

describe('WAL pages per operation (migration 008: few indexes, none a root task does not need)', () => {
  const N = 400;

  it('a task created on its own writes at most 6 pages', () => {
    const store = tmpStore();
    for (let i = 0; i < N; i++) store.create({ type: 'x', input: {} }, i); // a table that is not tiny
    const frames = framesWrittenBy(store.db.name, () => {
      for (let i = 0; i < N; i++) store.create({ type: 'x', input: {} }, N + i);
    });
    expect(frames / N).toBeLessThanOrEqual(6);
  });

  it('finishing a task and claiming the next in one transaction (the engine’s group commit) writes at most 8 pages', () => {
    const store = tmpStore();
    store.createGraph({ tasks: Array.from({ length: 2 * N }, (_, i) => ({ key: `k${i}`, type: 'x', input: {} })) }, 1);
    let [running] = store.claim({ bootId: 'b', now: 2, limit: 1, capacity: null });
    const frames = framesWrittenBy(store.db.name, () => {
      for (let i = 0; i < N; i++) {
        store.batch(() => {
          store.transition(running!.id, 'completed', 3 + i, { expectLease: 'b', result: null, leaseOwner: null }, 'running');
          [running] = store.claim({ bootId: 'b', now: 3 + i, limit: 1, capacity: new Map([['x', 1]]) });
        });
      }
    });
    expect(frames / N).toBeLessThanOrEqual(8);
  });
});
