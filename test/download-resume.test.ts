import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RetryableError } from '../src/task-service/engine/define';
import type { DownloadCheckpoint } from '../src/task-service/tasks/download/checkpoint';
import { createVideoDownload, videoDownload } from '../src/task-service/tasks/video-download';
import { createTaskHarness } from './support/task-context';
import { generatedContent, generatedSha256, versionSeed } from './support/generated-content';
import type { LoopbackServer } from './support/loopback-server';
import { serverAndDirPerTest } from './support/per-test';

let server: LoopbackServer;
let dir: string;
const MiB = 1024 * 1024;
const SIZE = 6 * MiB + 123;

serverAndDirPerTest('dl-resume-', (s, d) => ((server = s), (dir = d)));

const diskSha = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const part = (): string => path.join(dir, 'v.mp4.part');
const input = (): { url: string; dir: string; filename: string; expectedSize: number } => ({ url: server.url('/v'), dir, filename: 'v.mp4', expectedSize: SIZE });

describe('video-download: resume', () => {
  it('resumes after a disconnect with Range + If-Range, re-fetching only what the checkpoint lacks', async () => {
    server.route('/v', { content: { size: SIZE, seed: 11 }, disconnectAfterBytes: 4 * MiB + 5 });
    const h = createTaskHarness<DownloadCheckpoint>();
    const err = await h.runExpectingError(videoDownload, input());
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'NETWORK' });
    const cp = h.checkpoint!;
    expect(cp.bytes).toBeGreaterThan(3 * MiB);
    expect(fs.statSync(part()).size).toBe(cp.bytes);
    expect(cp.etag).toBe('"s11-v0"');

    const result = await h.run(videoDownload, { ...input(), sha256: generatedSha256(11, SIZE) });
    expect(result).toMatchObject({ bytes: SIZE, sha256: generatedSha256(11, SIZE) });
    const s = server.stats('/v');
    expect(s.statuses).toEqual([200, 206]);
    expect(s.ranges[1]).toBe(`bytes=${cp.bytes}-`);
    expect(s.ifRanges[1]).toBe('"s11-v0"');
    expect(s.bytesSent - (4 * MiB + 5)).toBe(SIZE - cp.bytes);
    expect(fs.existsSync(part())).toBe(false);
  });

  it('after a crash, truncates the .part to the last checkpoint (it may hold more) and re-fetches at most a checkpoint interval', async () => {
    // Throttled, so a write batch is at most one 0.8 MiB slice (unthrottled, reads pile up to
    // the sink's 4 MiB mark behind a write); the bound below is an interval plus a batch.
    server.route('/v', { content: { size: SIZE, seed: 12 }, disconnectAfterBytes: 5 * MiB, bytesPerSecond: 16 * MiB });
    const h = createTaskHarness<DownloadCheckpoint>();
    // The default cadence is time-driven at this speed (an interval of 4 MiB); checkpointMinMs 0
    // gives the per-MiB one this test rolls back to.
    const perMiB = createVideoDownload({ checkpointMinMs: 0 });
    await h.runExpectingError(perMiB, input());
    // A crash would have lost the final checkpoint: roll back to the last periodic one, and
    // leave garbage past it, as a torn write could.
    const periodic = h.saved.filter((c) => c.bytes < h.checkpoint!.bytes).at(-1)!;
    expect(periodic.bytes).toBeGreaterThan(5 * MiB - 2 * MiB);
    h.checkpoint = periodic;
    fs.appendFileSync(part(), Buffer.alloc(SIZE, 0xee)); // longer than the whole file
    const sentBefore = server.stats('/v').bytesSent;

    const result = await h.run(videoDownload, input());
    expect(result).toMatchObject({ bytes: SIZE, sha256: generatedSha256(12, SIZE) });
    expect(server.stats('/v').ranges[1]).toBe(`bytes=${periodic.bytes}-`);
    const refetched = server.stats('/v').bytesSent - sentBefore - (SIZE - 5 * MiB);
    expect(refetched).toBe(5 * MiB - periodic.bytes);
    expect(refetched).toBeLessThanOrEqual(2 * MiB); // one checkpoint interval (1 MiB) plus a write batch
    expect(diskSha(path.join(dir, 'v.mp4'))).toBe(generatedSha256(12, SIZE)); // the disk, not just the stream
  });

  it('restarts from zero when the server ignores Range (200)', async () => {
    server.route('/v', { content: { size: SIZE, seed: 13 }, disconnectAfterBytes: 2 * MiB });
    const h = createTaskHarness<DownloadCheckpoint>();
    await h.runExpectingError(videoDownload, input());
    expect(h.checkpoint!.bytes).toBeGreaterThan(0);
    server.patch('/v', { ranges: false });
    const result = await h.run(videoDownload, { ...input(), sha256: generatedSha256(13, SIZE) });
    expect(result).toMatchObject({ bytes: SIZE });
    expect(server.stats('/v').statuses).toEqual([200, 200]);
    expect(server.stats('/v').bytesSent).toBe(2 * MiB + SIZE);
    expect(h.logs.join('\n')).toMatch(/Restarting from zero/);
  });

  it('restarts from zero when the ETag changed, ending with the new content', async () => {
    server.route('/v', { content: { size: SIZE, seed: 14 }, disconnectAfterBytes: 3 * MiB, lastModified: false });
    const h = createTaskHarness<DownloadCheckpoint>();
    await h.runExpectingError(videoDownload, input());
    server.patch('/v', { version: 1 }); // the file was replaced on the server
    const result = await h.run(videoDownload, input());
    const newSha = generatedSha256(versionSeed(14, 1), SIZE);
    expect(newSha).not.toBe(generatedSha256(14, SIZE));
    expect(result).toMatchObject({ sha256: newSha });
    expect(server.stats('/v').ifRanges[1]).toBe('"s14-v0"');
    expect(server.stats('/v').statuses).toEqual([200, 200]);
  });

  it('uses Last-Modified for If-Range when there is no ETag, and restarts when it changes', async () => {
    server.route('/v', { content: { size: SIZE, seed: 15 }, disconnectAfterBytes: 3 * MiB, etag: false, changeEtagEvery: 1 });
    const h = createTaskHarness<DownloadCheckpoint>();
    await h.runExpectingError(videoDownload, input());
    const result = await h.run(videoDownload, input());
    expect(server.stats('/v').ifRanges[1]).toBe(new Date(Date.UTC(2024, 0, 1)).toUTCString());
    expect(result).toMatchObject({ sha256: generatedSha256(versionSeed(15, 1), SIZE) });
  });

  it('416 with the .part already complete: verifies and finishes without a body', async () => {
    const size = 300_000;
    server.route('/v', { content: { size, seed: 16 } });
    fs.writeFileSync(part(), generatedContent(16, size));
    const h = createTaskHarness<DownloadCheckpoint>({ url: server.url('/v'), file: 'v.mp4', bytes: size, etag: '"s16-v0"', lastModified: null, total: size, integrityFailures: 0, completeSha256: null });
    const result = await h.run(videoDownload, { ...input(), expectedSize: size, sha256: generatedSha256(16, size) });
    expect(result).toMatchObject({ bytes: size, sha256: generatedSha256(16, size) });
    expect(server.stats('/v').statuses).toEqual([416]);
    expect(server.stats('/v').bytesSent).toBe(0);
  });

  it('416 for a .part that does not match the size: restarts from zero once', async () => {
    const size = 300_000;
    server.route('/v', { content: { size, seed: 17 } });
    fs.writeFileSync(part(), Buffer.alloc(size + 10, 1)); // larger than the file now is
    const h = createTaskHarness<DownloadCheckpoint>({ url: server.url('/v'), file: 'v.mp4', bytes: size + 10, etag: '"s17-v0"', lastModified: null, total: null, integrityFailures: 0, completeSha256: null });
    const result = await h.run(videoDownload, { ...input(), expectedSize: size });
    expect(result).toMatchObject({ bytes: size, sha256: generatedSha256(17, size) });
    expect(diskSha(path.join(dir, 'v.mp4'))).toBe(generatedSha256(17, size));
    expect(server.stats('/v').statuses).toEqual([416, 200]);
    expect(server.stats('/v').ranges).toEqual([`bytes=${size + 10}-`, undefined]);
  });

  it('a run that crashed between "complete" and finishing does not download again', async () => {
    server.route('/v', { content: { size: 200_000, seed: 18 } });
    const h = createTaskHarness<DownloadCheckpoint>();
    await h.run(videoDownload, { ...input(), expectedSize: 200_000 });
    expect(h.checkpoint!.completeSha256).toBe(generatedSha256(18, 200_000));
    // Undo the rename, as if the process died right before it.
    fs.renameSync(path.join(dir, 'v.mp4'), part());
    const again = await h.run(videoDownload, { ...input(), expectedSize: 200_000 });
    expect(again).toMatchObject({ bytes: 200_000, sha256: generatedSha256(18, 200_000) });
    expect(server.stats('/v').requests).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['v.mp4']);
  });

  it('ignores a checkpoint whose .part vanished and starts over', async () => {
    server.route('/v', { content: { size: SIZE, seed: 19 }, disconnectAfterBytes: 2 * MiB });
    const h = createTaskHarness<DownloadCheckpoint>();
    await h.runExpectingError(videoDownload, input());
    fs.rmSync(part());
    const result = await h.run(videoDownload, input());
    expect(result).toMatchObject({ sha256: generatedSha256(19, SIZE) });
    expect(server.stats('/v').ranges[1]).toBeUndefined();
  });
});
