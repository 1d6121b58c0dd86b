import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadCheckpoint } from '../src/task-service/tasks/download/checkpoint';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { createTaskHarness } from './support/task-context';
import { tmpDir } from './support/tmp';
import { bytesOf, sha256, startMediaSite, type MediaSite } from './support/media-site';

/**
 * Pages whose media URLs are signed and expire (403 once the test revokes them), like a CDN's. A run that
 * was cut off resumes later with its remembered URL, gets 403, resolves the page again with
 * yt-dlp inside the same run and continues with Range from its checkpoint; only content that
 * really changed starts over; and re-resolving is bounded per run.
 */

let site: MediaSite;
const SIZE = 600_000;
// Small checkpoints so the cut-off run leaves a real checkpoint behind.
const def = createVideoDownload({ checkpointBytes: 32 * 1024, checkpointMinMs: 0, maxReResolves: 2 });
// Each yt-dlp run costs about a CPU second; on a loaded machine several seconds.
const SLOW = 90_000;

beforeAll(async () => {
  site = await startMediaSite();
});
afterAll(() => site.close());

const getHits = (name: string) => site.hits(name).filter((h) => h.method === 'GET');
const reResolves = (logs: string[]): number => logs.filter((l) => /resolving .* again/.test(l)).length;

describe('expiring media URLs', () => {
  it('an expired URL is re-resolved in-run and the download resumes with Range from its checkpoint', async () => {
    const content = bytesOf(21, SIZE);
    site.media('long.mp4', content, { cutAfter: 200_000, cutTimes: 1 });
    site.page('long', 'Long', 'long.mp4', 'signed');
    const dir = tmpDir();
    const h = createTaskHarness<DownloadCheckpoint>();
    const input = { url: site.url('/page/long'), dir, filename: 'long.mp4' };
    expect(await h.runExpectingError(def, input)).toMatchObject({ code: 'NETWORK' });
    const kept = h.checkpoint!;
    expect(kept.url).toBe(input.url); // keyed on the page...
    expect(kept.media?.url).toContain('/signed/long.mp4'); // ...fetching the resolved URL
    expect(kept.bytes).toBeGreaterThan(0);

    site.expire(); // the remembered URL is now expired
    await expect(h.run(def, input)).resolves.toEqual({ path: `${dir}/long.mp4`, bytes: SIZE, sha256: sha256(content) });
    const hits = getHits('long.mp4');
    expect(hits.map((x) => x.status)).toEqual([200, 403, 206]);
    expect(hits[2]!.range).toBe(`bytes=${kept.bytes}-`);
    expect(hits[2]!.bodyBytes).toBe(SIZE - kept.bytes); // nothing before the checkpoint fetched again
    expect(reResolves(h.logs)).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['long.mp4']);
  }, SLOW);

  it('when the page now resolves to different content, it starts over (and only then)', async () => {
    site.media('changing.mp4', bytesOf(22, SIZE), { cutAfter: 150_000, cutTimes: 1 });
    site.page('changing', 'Changing', 'changing.mp4', 'signed');
    const dir = tmpDir();
    const h = createTaskHarness<DownloadCheckpoint>();
    const input = { url: site.url('/page/changing'), dir, filename: 'c.mp4' };
    expect(await h.runExpectingError(def, input)).toMatchObject({ code: 'NETWORK' });
    const replaced = bytesOf(23, SIZE + 5000);
    site.replace('changing.mp4', replaced);
    site.expire();
    await expect(h.run(def, input)).resolves.toMatchObject({ bytes: replaced.length, sha256: sha256(replaced) });
    expect(getHits('changing.mp4').map((x) => x.status)).toEqual([200, 403, 200]); // If-Range refused the old prefix
    expect(h.logs.join('\n')).toMatch(/Restarting from zero/);
  }, SLOW);

  it('re-resolving is bounded per run: a page whose URLs are always expired ends with a retryable error', async () => {
    site.media('dead.mp4', bytesOf(24, 1000));
    site.page('dead', 'Dead', 'dead.mp4', 'dead');
    const dir = tmpDir();
    const h = createTaskHarness();
    const err = (await h.runExpectingError(def, { url: site.url('/page/dead'), dir })) as Error & { code: string };
    expect(err).toMatchObject({ name: 'RetryableError', code: 'HTTP_ERROR' });
    expect(err.message).toMatch(/after 2 fresh resolves/);
    expect(reResolves(h.logs)).toBe(2);
    expect(getHits('dead.mp4').every((x) => x.status === 403 && x.bodyBytes === 0)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([]);
  }, SLOW);
});
