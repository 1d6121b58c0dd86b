import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { YtDlp } from '../src/task-service/tasks/ytdlp/ytdlp';
import { createTaskHarness } from './support/task-context';
import { tmpDir } from './support/tmp';
import { bytesOf, sha256, startMediaSite, type MediaSite } from './support/media-site';

/**
 * video-download given a page instead of a media file: resolved by the real yt-dlp, named
 * "<title> [<id>].<ext>", fetched by our transfer; a page without a video writes nothing; a
 * web page is never saved as a video; without yt-dlp, pages fail clearly and files still work.
 */

let site: MediaSite;
const clip = bytesOf(7, 300_000);
const withYtDlp = createVideoDownload();
const withoutYtDlp = createVideoDownload({ ytdlp: new YtDlp({ env: { PATH: '/nonexistent' } }) });

beforeAll(async () => {
  site = await startMediaSite();
  site.media('clip.mp4', clip);
  site.page('clip', 'A "clip": part 1/2', 'clip.mp4');
});
afterAll(() => site.close());

describe('video-download of pages', { timeout: 90_000 }, () => {
  it('resolves a page with yt-dlp and saves its video as "<title> [<id>].<ext>", sanitized', async () => {
    const dir = tmpDir();
    const h = createTaskHarness();
    const result = await h.run(withYtDlp, { url: site.url('/page/clip'), dir });
    const name = 'A _clip__ part 1_2 (1) [clip-1].mp4';
    expect(result).toEqual({ path: path.join(dir, name), bytes: clip.length, sha256: sha256(clip) });
    expect(fs.readdirSync(dir)).toEqual([name]);
    // The checkpoint stays keyed on the page and remembers what it resolved to.
    expect(h.checkpoint).toMatchObject({ url: site.url('/page/clip'), media: { url: site.url('/media/clip.mp4') } });
    expect(h.logs.join('\n')).toMatch(/asking yt-dlp/);
    expect(h.titles).toEqual(['A "clip": part 1/2 (1)']); // it was titled by nothing better than its address
  });

  it('a caller-given filename wins over the resolved name', async () => {
    const dir = tmpDir();
    await createTaskHarness().run(withYtDlp, { url: site.url('/page/clip'), dir, filename: 'mine.mp4' });
    expect(fs.readdirSync(dir)).toEqual(['mine.mp4']);
  });

  it('a page without a video fails permanently with NOT_A_VIDEO and writes nothing (not even its folder)', async () => {
    const dir = path.join(tmpDir(), 'not-yet');
    const err = await createTaskHarness().runExpectingError(withYtDlp, { url: site.url('/empty'), dir });
    expect(err).toMatchObject({ name: 'PermanentError', code: 'NOT_A_VIDEO' });
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('never saves a text/html response as a video, even when no resolver is configured', async () => {
    const dir = tmpDir();
    const noResolver = createVideoDownload({ resolve: null });
    const err = await createTaskHarness().runExpectingError(noResolver, { url: site.url('/empty'), dir, filename: 'watch' });
    expect(err).toMatchObject({ code: 'NOT_A_VIDEO' });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('without yt-dlp a page fails with YTDLP_MISSING (how to install it), and a direct media URL still downloads', async () => {
    const dir = tmpDir();
    const err = (await createTaskHarness().runExpectingError(withoutYtDlp, { url: site.url('/page/clip'), dir })) as Error & { code: string };
    expect(err).toMatchObject({ name: 'PermanentError', code: 'YTDLP_MISSING' });
    expect(err.message).toMatch(/apt-get install yt-dlp/);
    expect(fs.readdirSync(dir)).toEqual([]);
    await expect(createTaskHarness().run(withoutYtDlp, { url: site.url('/media/clip.mp4'), dir })).resolves.toMatchObject({ path: path.join(dir, 'clip.mp4'), sha256: sha256(clip) });
  });
});
