import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAFETY_PAGES } from '../src/task-service/store/wal';
import { tmpStore } from './helpers/store-fixture';

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
    for (let i = 0; i < 50; i++) store.create({ type: 'x', input: i }, 100 + i);
    expect(walBytes(store.db.name)).toBeLessThanOrEqual(grown);
  });
});
