import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { videoDownload } from '../src/task-service/tasks/video-download';
import { createTaskHarness } from './support/task-context';
import { tmpDir } from './support/tmp';
import { bytesOf, sha256, startMediaSite, type MediaSite } from './support/media-site';

/**
 * "Already downloaded": a target that matches what is known of the media (size from HEAD,
 * sha256 when the input gives one) completes without a GET; anything else downloads as usual.
 */

let site: MediaSite;
const V = bytesOf(51, 70_000);

beforeAll(async () => {
  site = await startMediaSite();
  site.media('v.mp4', V);
});
afterAll(() => site.close());

const gets = (): number => site.hits('v.mp4').filter((h) => h.method === 'GET').length;

describe('video-download: already downloaded', () => {
  it('same size and the given sha256: completes from a HEAD alone, with the digest', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'v.mp4'), V);
    const before = gets();
    const result = await createTaskHarness().run(videoDownload, { url: site.url('/media/v.mp4'), dir, sha256: sha256(V) });
    expect(result).toEqual({ path: path.join(dir, 'v.mp4'), bytes: V.length, sha256: sha256(V), alreadyDownloaded: true });
    expect(gets()).toBe(before);
    expect(site.hits('v.mp4').at(-1)!.method).toBe('HEAD');
  });

  it('same size without a sha256 to check: done without reading the file back (sha256 null)', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'v.mp4'), V);
    const before = gets();
    await expect(createTaskHarness().run(videoDownload, { url: site.url('/media/v.mp4'), dir })).resolves.toEqual({ path: path.join(dir, 'v.mp4'), bytes: V.length, sha256: null, alreadyDownloaded: true });
    expect(gets()).toBe(before);
  });

  it('same size but another sha256: not taken for the video; the download runs and refuses to replace the file', async () => {
    const dir = tmpDir();
    const other = bytesOf(52, V.length);
    fs.writeFileSync(path.join(dir, 'v.mp4'), other);
    const before = gets();
    const err = await createTaskHarness().runExpectingError(videoDownload, { url: site.url('/media/v.mp4'), dir, sha256: sha256(V) });
    expect(err).toMatchObject({ code: 'CONFLICT' });
    expect(gets()).toBe(before + 1);
    expect(fs.readFileSync(path.join(dir, 'v.mp4')).equals(other)).toBe(true);
  });

  it('another size: downloads as usual', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'v.mp4'), V.subarray(0, 1000));
    await expect(createTaskHarness().runExpectingError(videoDownload, { url: site.url('/media/v.mp4'), dir })).resolves.toMatchObject({ code: 'CONFLICT' });
  });
});
