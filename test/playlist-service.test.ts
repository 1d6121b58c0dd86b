import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Task } from '../src/shared/task';
import { itemFilename, type Manifest } from '../src/task-service/tasks';
import { startWhenFree } from './fixtures/service/restart';
import { tmpDir } from './support/tmp';
import { generatedSha256 } from './support/generated-content';
import { loopbackPerTest, startService, type ServiceProcess } from './support/service-process';

/**
 * A 200-item playlist imported by the real service process with at most 3 downloads at once,
 * SIGKILLed while its children are in flight and started again on the same database: the
 * parent completes with exactly 200 children (one per item id, no duplicates) and 200 files
 * with the right bytes. Every item is throttled, so each download holds its request open on
 * the server for most of its run and the server's gauge of open requests sees any overlap.
 */

const KiB = 1024;
const ITEMS = 200;
const CONCURRENCY = { global: 8, perType: { 'video-download': 3 } };
const PATIENT = { timeout: 50_000, interval: 50 };
const loopback = loopbackPerTest();

/** Item i: 32-128 KiB of seeded bytes at 1 MiB/s (tens of ms each, so runs overlap). */
function item(i: number): { id: string; size: number; seed: number } {
  return { id: `v${String(i).padStart(3, '0')}`, size: 32 * KiB + ((i * 7919) % (96 * KiB)), seed: 5000 + i };
}

function servePlaylist(): Manifest {
  const manifest: Manifest = { title: 'Mix', items: [] };
  for (let i = 0; i < ITEMS; i++) {
    const { id, size, seed } = item(i);
    loopback.server.route(`/v/${id}.mp4`, { content: { size, seed }, bytesPerSecond: 1024 * KiB });
    manifest.items.push({ id, title: `Video ${i}`, url: loopback.server.url(`/v/${id}.mp4`) });
  }
  loopback.server.route('/list.json', { json: manifest });
  return manifest;
}

/** Every child of `parentId`, through the paged list (small pages, so paging is exercised). */
async function children(svc: ServiceProcess, parentId: string, states?: Array<Task['state']>): Promise<Task[]> {
  const out: Task[] = [];
  let cursor: string | undefined;
  do {
    const page = await svc.client().tasks.list.query({ parentId, limit: 64, ...(states ? { states } : {}), ...(cursor ? { cursor } : {}) });
    out.push(...(page.items as Task[]));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

describe('playlist-import in the service process', () => {
  it('imports 200 items with 3 downloads at once, survives a SIGKILL mid-way, ends with 200 children and 200 files', async () => {
    const dir = tmpDir('playlist-svc-');
    const dbPath = path.join(dir, 'tasks.db');
    const manifest = servePlaylist();
    const downloads = loopback.server.gauge('/v/');

    const first = startService({ dbPath, concurrency: CONCURRENCY });
    await first.ready;
    const parent = await first.client().tasks.create.mutate({ type: 'playlist-import', input: { url: loopback.server.url('/list.json'), dir } });
    // Kill once a good share is done: some children completed, others running or queued.
    await vi.waitFor(async () => expect((await children(first, parent.id, ['completed'])).length).toBeGreaterThanOrEqual(50), PATIENT);
    first.host.kill('SIGKILL');
    await first.host.exit;

    const { svc } = await startWhenFree({ dbPath, concurrency: CONCURRENCY });
    const atRestart = await children(svc, parent.id);
    expect(atRestart.length).toBe(ITEMS);
    expect(atRestart.filter((c) => c.state === 'completed').length).toBeLessThan(ITEMS);

    await vi.waitFor(async () => expect((await svc.client().tasks.get.query({ id: parent.id })).state).toBe('completed'), PATIENT);
    const done = (await svc.client().tasks.get.query({ id: parent.id })) as Task;
    const target = path.join(dir, 'Mix');
    expect(done.result).toEqual({ title: 'Mix', dir: target, count: ITEMS, duplicates: 0 });
    expect(done.progress).toMatchObject({ ratio: 1, current: ITEMS, total: ITEMS }); // aggregated from the children

    // Exactly one child per item: spawn key = item id, dedupeKey = video:<id>, all completed.
    const kids = await children(svc, parent.id);
    expect(kids.length).toBe(ITEMS);
    expect(new Set(kids.map((k) => k.id)).size).toBe(ITEMS);
    expect(kids.map((k) => k.spawnKey).sort()).toEqual(manifest.items.map((m) => m.id).sort());
    expect(new Set(kids.map((k) => k.dedupeKey))).toEqual(new Set(manifest.items.map((m) => `video:${m.id}`)));
    expect(kids.every((k) => k.type === 'video-download' && k.state === 'completed')).toBe(true);

    // 200 files with the right bytes, nothing else left in the folder (no .part).
    expect(readdirSync(target).sort()).toEqual(manifest.items.map(itemFilename).sort());
    manifest.items.forEach((m, i) => {
      const { size, seed } = item(i);
      const digest = createHash('sha256').update(readFileSync(path.join(target, itemFilename(m)))).digest('hex');
      expect(digest, m.id).toBe(generatedSha256(seed, size));
    });

    // Server side, never more than 3 download requests open at once, across both processes.
    // (The gauge can only under-count: the server closes a response once its last byte is in
    // the socket. The throttle keeps each request open for most of its download.)
    expect(downloads.active).toBe(0);
    expect(downloads.max).toBeLessThanOrEqual(3);
    expect(downloads.max).toBe(3); // the limit was reached, so the bound above is not vacuous
  }, 90_000);
});
