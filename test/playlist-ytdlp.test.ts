import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlaylistImport, playlistImport } from '../src/task-service/tasks/playlist-import';
import { videoDownloadInput } from '../src/task-service/tasks/video-download';
import { YtDlp } from '../src/task-service/tasks/ytdlp/ytdlp';
import { createTaskHarness } from './support/task-context';
import { tmpDir } from './support/tmp';
import { bytesOf, startMediaSite, type MediaSite } from './support/media-site';

/** playlist-import of a non-JSON address: listed by the real yt-dlp, idempotent, retitled. */

let site: MediaSite;

beforeAll(async () => {
  site = await startMediaSite();
  site.media('a.mp4', bytesOf(41, 1000));
  site.page('watch', 'Watch me', 'a.mp4');
  site.feed('Mixed <Feed>', [
    { title: 'Direct', name: 'a.mp4', guid: 'g-1' },
    { title: 'On a page', name: '', href: `${site.origin}/page/watch` },
  ]);
});
afterAll(() => site.close());

describe('playlist-import through yt-dlp', { timeout: 90_000 }, () => {
  it('titles the parent by the playlist, children by their entries; pages are named by what they resolve to', async () => {
    const dir = tmpDir();
    const h = createTaskHarness();
    const result = await h.run(playlistImport, { url: site.url('/feed.xml'), dir });
    const target = path.join(dir, 'Mixed _Feed_');
    expect(result).toEqual({ title: 'Mixed <Feed>', dir: target, count: 2, duplicates: 0 });
    expect(h.titles).toEqual(['Mixed <Feed>']);
    const [direct, page] = h.spawnCalls.flat();
    expect(direct).toMatchObject({ key: 'g-1', title: 'Direct', dedupeKey: 'video:g-1', input: { url: site.url('/media/a.mp4'), dir: target, filename: 'Direct [g-1].mp4' } });
    expect(page).toMatchObject({ key: expect.stringMatching(/^url-/), title: 'On a page', input: { url: site.url('/page/watch'), dir: target } });
    expect(page!.input).not.toHaveProperty('filename');
    for (const r of [direct, page]) expect(videoDownloadInput.safeParse(r!.input).success).toBe(true);

    // A re-run (after a crash) asks for exactly the same children.
    const before = h.spawnCalls.flat();
    h.spawnCalls.length = 0;
    await h.run(playlistImport, { url: site.url('/feed.xml'), dir });
    expect(h.spawnCalls.flat()).toEqual(before);
    expect(h.children.size).toBe(2);
  });

  it('without yt-dlp a feed fails with YTDLP_MISSING and spawns nothing', async () => {
    const h = createTaskHarness();
    const def = createPlaylistImport({ ytdlp: new YtDlp({ env: { PATH: tmpDir() } }) });
    expect(await h.runExpectingError(def, { url: site.url('/feed.xml'), dir: tmpDir() })).toMatchObject({ name: 'PermanentError', code: 'YTDLP_MISSING' });
    expect(h.spawnCalls).toEqual([]);
  });
});
