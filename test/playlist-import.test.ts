import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SpawnRequest } from '../src/shared/schemas';
import { appTasks, createPlaylistImport, playlistImport, playlistImportInput, videoDownload, videoDownloadInput, type Manifest, type ManifestSource } from '../src/task-service/tasks';
import { createTaskHarness } from './support/task-context';
import { generatedSha256 } from './support/generated-content';
import type { LoopbackServer } from './support/loopback-server';
import { serverAndDirPerTest } from './support/per-test';

let server: LoopbackServer;
let dir: string;

serverAndDirPerTest('playlist-', (s, d) => ((server = s), (dir = d)));

function manifest(n: number, title = 'My Mix'): Manifest {
  return { title, items: Array.from({ length: n }, (_, i) => ({ id: `vid${i}`, title: `Video ${i}`, url: server.url(`/v/${i}.mp4`) })) };
}

const flat = (calls: SpawnRequest[][]): SpawnRequest[] => calls.flat();

describe('playlist-import', () => {
  it('spawns one video-download per item with key = id and dedupeKey = video:<id>', async () => {
    server.route('/list.json', { json: manifest(3) });
    const h = createTaskHarness();
    const result = await h.run(playlistImport, { url: server.url('/list.json'), dir });
    expect(result).toEqual({ title: 'My Mix', dir: path.join(dir, 'My Mix'), count: 3, duplicates: 0 });
    const spawned = flat(h.spawnCalls);
    expect(spawned.map((r) => [r.key, r.dedupeKey, r.type, r.title])).toEqual([
      ['vid0', 'video:vid0', 'video-download', 'Video 0'],
      ['vid1', 'video:vid1', 'video-download', 'Video 1'],
      ['vid2', 'video:vid2', 'video-download', 'Video 2'],
    ]);
    expect(spawned[1]!.input).toEqual({ url: server.url('/v/1.mp4'), dir: path.join(dir, 'My Mix'), filename: 'Video 1 [vid1].mp4' });
    // Every child input is acceptable to the child type.
    for (const r of spawned) expect(videoDownloadInput.safeParse(r.input).success).toBe(true);
  });

  it('a re-run (after a crash) makes exactly the same spawn requests, so no duplicate children', async () => {
    server.route('/list.json', { json: manifest(1200) });
    const h = createTaskHarness();
    await h.run(playlistImport, { url: server.url('/list.json'), dir });
    const first = flat(h.spawnCalls);
    h.spawnCalls.length = 0;
    await h.run(playlistImport, { url: server.url('/list.json'), dir });
    expect(flat(h.spawnCalls)).toEqual(first);
    expect(h.children.size).toBe(1200);
  });

  it('spawns large playlists in chunks', async () => {
    server.route('/list.json', { json: manifest(1200) });
    const h = createTaskHarness();
    await h.run(createPlaylistImport({ spawnChunk: 500 }), { url: server.url('/list.json'), dir });
    expect(h.spawnCalls.map((c) => c.length)).toEqual([500, 500, 200]);
    expect(new Set(flat(h.spawnCalls).map((r) => r.key)).size).toBe(1200);
  });

  it('deduplicates repeated item ids, keeping the first', async () => {
    const m = manifest(3);
    m.items.push({ id: 'vid1', title: 'again', url: server.url('/other.mp4') });
    server.route('/list.json', { json: m });
    const h = createTaskHarness();
    expect(await h.run(playlistImport, { url: server.url('/list.json'), dir })).toMatchObject({ count: 3, duplicates: 1 });
    expect(flat(h.spawnCalls).find((r) => r.key === 'vid1')!.title).toBe('Video 1');
    expect(h.logs.join()).toMatch(/Skipped 1 repeated/);
  });

  it('keeps a hostile playlist title and item names inside dir', async () => {
    const m: Manifest = { title: '../../etc', items: [{ id: '../x/y', title: '../../passwd', url: server.url('/a') }, { id: 'ok', title: '', url: server.url('/b.MKV') }] };
    server.route('/list.json', { json: m });
    const h = createTaskHarness();
    const result = (await h.run(playlistImport, { url: server.url('/list.json'), dir })) as { dir: string };
    expect(path.dirname(result.dir)).toBe(dir);
    for (const r of flat(h.spawnCalls)) {
      const input = videoDownloadInput.parse(r.input);
      expect(path.dirname(path.join(input.dir, input.filename!))).toBe(result.dir);
    }
    expect((flat(h.spawnCalls)[1]!.input as { filename: string }).filename).toBe('video [ok].mkv');
    expect(flat(h.spawnCalls)[1]!.title).toBe('ok');
  });

  it('an empty title puts the videos directly in dir', async () => {
    server.route('/list.json', { json: manifest(1, '') });
    expect(await createTaskHarness().run(playlistImport, { url: server.url('/list.json'), dir })).toMatchObject({ dir });
  });

  it('uses any ManifestSource (the seam for a real extractor)', async () => {
    const seen: string[] = [];
    const source: ManifestSource = { fetch: async (url) => (seen.push(url), { title: 'T', items: [{ id: 'a', title: 'A', url: 'https://example.test/a.mp4' }] }) };
    const h = createTaskHarness();
    expect(await h.run(createPlaylistImport({ source }), { url: 'https://example.test/list', dir })).toMatchObject({ count: 1 });
    expect(seen).toEqual(['https://example.test/list']);
  });

  it('children it spawns download for real', async () => {
    const m = manifest(3);
    m.items.forEach((_, i) => server.route(`/v/${i}.mp4`, { content: { size: 20_000 + i, seed: 100 + i } }));
    server.route('/list.json', { json: m });
    const h = createTaskHarness();
    await h.run(playlistImport, { url: server.url('/list.json'), dir });
    for (const [i, r] of flat(h.spawnCalls).entries()) {
      expect(await createTaskHarness().run(videoDownload, r.input)).toMatchObject({ sha256: generatedSha256(100 + i, 20_000 + i) });
    }
    expect(fs.readdirSync(path.join(dir, 'My Mix')).sort()).toEqual(['Video 0 [vid0].mp4', 'Video 1 [vid1].mp4', 'Video 2 [vid2].mp4']);
  });

  it('exports both definitions with their concurrency limits', () => {
    expect(appTasks.map((d) => [d.type, d.concurrency])).toEqual([['video-download', 3], ['playlist-import', 1]]);
    expect(playlistImportInput.safeParse({ url: 'file:///x', dir }).success).toBe(false);
    // A relative dir resolves under the default downloads folder; one climbing out is refused.
    expect(playlistImport.input.safeParse({ url: 'http://h/x', dir: '../../rel' }).success).toBe(false);
  });
});
