import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { videoDownload } from '../src/task-service/tasks/video-download';
import { createTaskHarness } from './support/task-context';
import { generatedSha256 } from './support/generated-content';
import type { LoopbackServer } from './support/loopback-server';
import { serverAndDirPerTest } from './support/per-test';

/**
 * Regressions: a finished download renamed its .part over whatever had the target name (a
 * user's file, another download's result), and two downloads with the same target wrote into
 * one .part at once.
 */

let server: LoopbackServer;
let dir: string;
const MiB = 1024 * 1024;

serverAndDirPerTest('dl-clobber-', (s, d) => ((server = s), (dir = d)));

const failure = (p: Promise<unknown>) => p.then(() => null, (e: { name?: string; code?: string }) => ({ name: e.name, code: e.code }));

describe('video-download never replaces an existing file', () => {
  it('refuses with CONFLICT when the target holds other content, keeping both the file and the .part', async () => {
    server.route('/v.mp4', { content: { size: 200_000, seed: 11 } });
    fs.writeFileSync(path.join(dir, 'clip.mp4'), 'USER DATA');
    const h = createTaskHarness();
    expect(await failure(h.run(videoDownload, { url: server.url('/v.mp4'), dir, filename: 'clip.mp4' }))).toEqual({ name: 'PermanentError', code: 'CONFLICT' });
    expect(fs.readFileSync(path.join(dir, 'clip.mp4'), 'utf8')).toBe('USER DATA');
    expect(fs.statSync(path.join(dir, 'clip.mp4.part')).size).toBe(200_000);

    // Once the user moves their file away, a retry finishes from the kept bytes, off the network.
    fs.renameSync(path.join(dir, 'clip.mp4'), path.join(dir, 'mine.mp4'));
    const requests = server.stats('/v.mp4').requests;
    await expect(h.run(videoDownload, { url: server.url('/v.mp4'), dir, filename: 'clip.mp4' })).resolves.toMatchObject({ bytes: 200_000, sha256: generatedSha256(11, 200_000) });
    expect(server.stats('/v.mp4').requests).toBe(requests);
  });

  it('accepts a target that already holds exactly the same bytes', async () => {
    server.route('/v.mp4', { content: { size: 50_000, seed: 12 } });
    const first = await createTaskHarness().run(videoDownload, { url: server.url('/v.mp4'), dir, filename: 'same.mp4' });
    const second = await createTaskHarness().run(videoDownload, { url: server.url('/v.mp4'), dir, filename: 'same.mp4' });
    expect(second).toEqual({ ...(first as object), sha256: null, alreadyDownloaded: true });
    expect(fs.readdirSync(dir)).toEqual(['same.mp4']);
  });

  it('a finished .part with the same bytes as an existing target is accepted, not copied', async () => {
    // The target appears while the download runs (the size check before it found nothing).
    server.route('/v.mp4', { content: { size: 300_000, seed: 15 }, bytesPerSecond: 600_000 });
    const h = createTaskHarness();
    const running = h.run(videoDownload, { url: server.url('/v.mp4'), dir, filename: 'same.mp4' });
    while (!fs.existsSync(path.join(dir, 'same.mp4.part'))) await new Promise((r) => setTimeout(r, 5));
    await createTaskHarness().run(videoDownload, { url: server.url('/v.mp4'), dir, filename: 'other.mp4' });
    fs.renameSync(path.join(dir, 'other.mp4'), path.join(dir, 'same.mp4'));
    expect(await running).toEqual({ path: path.join(dir, 'same.mp4'), bytes: 300_000, sha256: generatedSha256(15, 300_000) });
    expect(fs.readdirSync(dir)).toEqual(['same.mp4']);
  });

  it('lets only one download write a given .part; the other backs off with a retryable CONFLICT', async () => {
    server.route('/slow.mp4', { content: { size: 2 * MiB, seed: 13 }, bytesPerSecond: 4 * MiB });
    server.route('/other.mp4', { content: { size: 2 * MiB, seed: 14 } });
    const a = createTaskHarness();
    const running = a.run(videoDownload, { url: server.url('/slow.mp4'), dir, filename: 'x.mp4' });
    while (!fs.existsSync(path.join(dir, 'x.mp4.part'))) await new Promise((r) => setTimeout(r, 5));
    const b = createTaskHarness();
    expect(await failure(b.run(videoDownload, { url: server.url('/other.mp4'), dir, filename: 'x.mp4' }))).toEqual({ name: 'RetryableError', code: 'CONFLICT' });
    await expect(running).resolves.toMatchObject({ sha256: generatedSha256(13, 2 * MiB) });
    expect(fs.readdirSync(dir)).toEqual(['x.mp4']);
  });
});
