import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskAbort } from '../src/task-service/engine/define';
import { locateYtDlp } from '../src/task-service/tasks/ytdlp/locate';
import { runYtDlp } from '../src/task-service/tasks/ytdlp/run';
import { failureOf, YtDlp } from '../src/task-service/tasks/ytdlp/ytdlp';
import { listingManifest } from '../src/task-service/tasks/playlist/ytdlp-source';
import { tmpDir } from './support/tmp';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server';
import { bytesOf, startMediaSite, type MediaSite } from './support/media-site';

/**
 * The real yt-dlp (Debian's) against loopback content, offline: listing a feed, resolving a
 * page, a page without a video, and the runner's bounds (deadline, output cap, kill on abort).
 */

let site: MediaSite;
let slow: LoopbackServer;
const ytdlp = new YtDlp();
const logs: string[] = [];
const log = (l: string): void => void logs.push(l);
const signal = (): AbortSignal => new AbortController().signal;

beforeAll(async () => {
  site = await startMediaSite();
  site.media('a.mp4', bytesOf(1, 10_000));
  site.media('b.mp4', bytesOf(2, 20_000));
  site.page('clip', 'My Clip', 'a.mp4');
  site.feed('Feed Title', [{ title: 'First', name: 'a.mp4', guid: 'guid-1' }, { title: 'Second', name: 'b.mp4' }]);
  slow = await startLoopbackServer();
  slow.route('/hang', { headerDelayMs: 60_000, body: 'late' });
});
afterAll(async () => {
  await site.close();
  await slow.close();
});

describe('yt-dlp', { timeout: 90_000 }, () => {
  it('is found on PATH and reports its version for service.health', async () => {
    const health = await new YtDlp().probe();
    expect(health.path).toMatch(/yt-dlp$/);
    expect(health.version).toMatch(/^\d{4}\.\d{2}\.\d{2}/);
  });

  it('PLAYLISTIFY_YTDLP and the config path win over PATH; a wrong one is not replaced by PATH', async () => {
    const onPath = (await locateYtDlp())!;
    expect(await locateYtDlp({ env: { PATH: '/nonexistent', PLAYLISTIFY_YTDLP: onPath } })).toBe(onPath);
    expect(await locateYtDlp({ path: onPath, env: { PATH: '' } })).toBe(onPath);
    expect(await locateYtDlp({ env: { PATH: process.env.PATH, PLAYLISTIFY_YTDLP: '/nonexistent/yt-dlp' } })).toBeNull();
    expect(await locateYtDlp({ env: { PATH: tmpDir() } })).toBeNull();
  });

  it('lists an RSS feed: entries keyed by guid, else by a hash of the URL, titles kept, smuggled data stripped', async () => {
    const listing = await ytdlp.list(site.url('/feed.xml'), signal(), log);
    const manifest = listingManifest(listing, site.url('/feed.xml'), log);
    expect(manifest.title).toBe('Feed Title');
    expect(manifest.items).toEqual([
      { id: 'guid-1', title: 'First', url: site.url('/media/a.mp4') },
      { id: expect.stringMatching(/^url-[0-9a-f]{24}$/), title: 'Second', url: site.url('/media/b.mp4') },
    ]);
    // Stable across listings: the key of an id-less entry depends only on its URL.
    const again = listingManifest(await ytdlp.list(site.url('/feed.xml'), signal(), log), site.url('/feed.xml'), log);
    expect(again.items.map((i) => i.id)).toEqual(manifest.items.map((i) => i.id));
  });

  it('resolves a page with a <video> to its media URL and the headers to fetch it with', async () => {
    const media = await ytdlp.resolve(site.url('/page/clip'), signal(), log);
    expect(media).toMatchObject({ url: site.url('/media/a.mp4'), ext: 'mp4', title: 'My Clip (1)', id: 'clip-1' });
    expect(media.headers['User-Agent']).toBeTruthy();
    expect(Object.keys(media.headers).map((k) => k.toLowerCase())).not.toContain('accept-encoding');
  });

  it('a page without a video is a permanent NOT_A_VIDEO, and yt-dlp stderr reaches the log', async () => {
    logs.length = 0;
    await expect(ytdlp.resolve(site.url('/empty'), signal(), log)).rejects.toMatchObject({ name: 'PermanentError', code: 'NOT_A_VIDEO' });
    expect(logs.some((l) => l.startsWith('yt-dlp: ERROR:') && l.includes('Unsupported URL'))).toBe(true);
  });

  it('a page that answers 404 is a permanent HTTP_ERROR', async () => {
    await expect(ytdlp.resolve(site.url('/page/gone'), signal(), log)).rejects.toMatchObject({ name: 'PermanentError', code: 'HTTP_ERROR' });
  });

  it('missing yt-dlp is a permanent YTDLP_MISSING naming yt-dlp and how to install it', async () => {
    const missing = new YtDlp({ env: { PATH: tmpDir() } });
    const err = (await missing.resolve(site.url('/page/clip'), signal(), log).catch((e: unknown) => e)) as Error & { code: string };
    expect(err).toMatchObject({ name: 'PermanentError', code: 'YTDLP_MISSING' });
    expect(err.message).toMatch(/yt-dlp/);
    expect(err.message).toMatch(/apt-get install yt-dlp/);
    expect(err.message).toMatch(/PLAYLISTIFY_YTDLP/);
    expect(await missing.probe()).toMatchObject({ path: null, version: null });
  });

  it('kills yt-dlp when the task is aborted (cancel, pause, shutdown)', async () => {
    const bin = (await locateYtDlp())!;
    const controller = new AbortController();
    let pid = 0;
    const running = runYtDlp(bin, ['--no-config', '-J', '--', slow.url('/hang')], { signal: controller.signal, timeoutMs: 60_000, maxOutputBytes: 1 << 20, onSpawn: (p) => (pid = p) });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort(new TaskAbort('pause'));
    await expect(running).rejects.toBeInstanceOf(TaskAbort);
    expect(() => process.kill(pid, 0)).toThrow(); // gone, not orphaned
  });

  it('kills yt-dlp at its deadline with a retryable YTDLP_FAILED', async () => {
    const bin = (await locateYtDlp())!;
    await expect(runYtDlp(bin, ['--no-config', '-J', '--', slow.url('/hang')], { signal: signal(), timeoutMs: 500, maxOutputBytes: 1 << 20 })).rejects.toMatchObject({ name: 'RetryableError', code: 'YTDLP_FAILED' });
  });

  it('refuses output beyond its cap instead of buffering it', async () => {
    const capped = new YtDlp({ maxOutputBytes: 200 });
    await expect(capped.list(site.url('/feed.xml'), signal(), log)).rejects.toMatchObject({ code: 'YTDLP_FAILED', message: expect.stringMatching(/more than 200 bytes/) });
  });
});

describe('yt-dlp failures map to the closed error list', () => {
  const url = 'https://www.youtube.com/watch?v=x';
  it.each([
    ['ERROR: [youtube] x: Private video. Sign in if you have been granted access to this video', 'PermanentError', 'VIDEO_UNAVAILABLE'],
    ['ERROR: [youtube] x: Video unavailable. This video has been removed by the uploader', 'PermanentError', 'VIDEO_UNAVAILABLE'],
    ['ERROR: Unsupported URL: https://example.com/', 'PermanentError', 'NOT_A_VIDEO'],
    ['ERROR: [generic] None: Unable to download webpage: HTTP Error 404: Not Found', 'PermanentError', 'HTTP_ERROR'],
    ['ERROR: [youtube] x: Unable to download webpage: HTTP Error 503: Service Unavailable', 'RetryableError', 'NETWORK'],
    ['ERROR: [youtube] x: Unable to download webpage: <urlopen error [Errno -3] Temporary failure in name resolution>', 'RetryableError', 'NETWORK'],
    ['ERROR: [youtube] x: Some new extractor breakage nobody has seen', 'RetryableError', 'YTDLP_FAILED'],
  ])('%s', (line, name, code) => {
    const err = failureOf(url, 1, ['WARNING: something', line]);
    expect(err).toMatchObject({ name, code });
    expect(err.message).not.toMatch(/please report/i);
  });
});
