import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError, type TaskDefinition } from '../src/task-service/engine/define';
import { createVideoDownload, videoDownload, videoDownloadInput } from '../src/task-service/tasks/video-download';
import { createTaskHarness } from './support/task-context';
import { generatedSha256 } from './support/generated-content';
import type { LoopbackServer } from './support/loopback-server';
import { serverAndDirPerTest } from './support/per-test';

let server: LoopbackServer;
let dir: string;
const MiB = 1024 * 1024;

serverAndDirPerTest('dl-basic-', (s, d) => ((server = s), (dir = d)));

describe('video-download: whole files', () => {
  it('downloads to the named file with the right sha256, reports progress and leaves no .part', async () => {
    // Throttled (a quarter second in 0.6 MiB slices): unthrottled, 3 MiB can land in one or two
    // write batches, and this test is about the reports a transfer makes along the way.
    server.route('/v.mp4', { content: { size: 3 * MiB + 17, seed: 1 }, bytesPerSecond: 12 * MiB });
    const h = createTaskHarness();
    const sha = generatedSha256(1, 3 * MiB + 17);
    // checkpointMinMs 0: the per-MiB cadence even at loopback speed (the time floor a fast
    // transfer gets by default is covered in download-cadence.test.ts).
    const def = createVideoDownload({ checkpointMinMs: 0 });
    const result = await h.run(def, { url: server.url('/v.mp4'), dir, filename: 'clip.mp4', expectedSize: 3 * MiB + 17, sha256: sha });
    expect(result).toEqual({ path: path.join(dir, 'clip.mp4'), bytes: 3 * MiB + 17, sha256: sha });
    expect(fs.readdirSync(dir)).toEqual(['clip.mp4']);
    const last = h.progress.at(-1)!;
    expect(last).toMatchObject({ current: 3 * MiB + 17, total: 3 * MiB + 17, ratio: 1 });
    const currents = h.progress.map((p) => p.current!);
    expect(currents.length).toBeGreaterThan(3);
    expect([...currents].sort((a, b) => a - b)).toEqual(currents); // monotonic
    expect(h.progress.some((p) => p.total === 3 * MiB + 17 && p.ratio! > 0 && p.ratio! < 1)).toBe(true);
    // A checkpoint about every MiB (writes are batched, so 3 MiB gives at least 2), then "complete".
    const saved = h.saved as Array<{ bytes: number; completeSha256: string | null }>;
    const partial = saved.filter((c) => c.completeSha256 === null).map((c) => c.bytes);
    expect(partial.length).toBeGreaterThanOrEqual(2);
    expect([...partial].sort((a, b) => a - b)).toEqual(partial);
    expect(saved.at(-1)).toMatchObject({ bytes: 3 * MiB + 17, completeSha256: sha });
  });

  it('derives a safe filename from the URL path when none is given', async () => {
    server.route('/media/My%20Video%3F.mp4', { content: { size: 1000, seed: 2 } });
    const h = createTaskHarness();
    const result = (await h.run(videoDownload, { url: server.url('/media/My%20Video%3F.mp4'), dir })) as { path: string };
    expect(path.basename(result.path)).toBe('My Video_.mp4');
  });

  it('prefers Content-Disposition and strips any directory it smuggles in', async () => {
    server.route('/dl', { content: { size: 1000, seed: 3 }, contentDisposition: 'attachment; filename="../../evil.sh"' });
    const h = createTaskHarness();
    const result = (await h.run(videoDownload, { url: server.url('/dl'), dir })) as { path: string };
    expect(result.path).toBe(path.join(dir, 'evil.sh'));
    server.route('/dl2', { content: { size: 10, seed: 3 }, contentDisposition: "attachment; filename*=UTF-8''caf%C3%A9.mp4" });
    const again = (await createTaskHarness().run(videoDownload, { url: server.url('/dl2'), dir })) as { path: string };
    expect(path.basename(again.path)).toBe('café.mp4');
  });

  it('follows redirects (up to 5) and refuses a sixth', async () => {
    server.route('/final', { content: { size: 5000, seed: 4 } });
    for (let i = 1; i <= 6; i++) server.route(`/r${i}`, { redirectTo: i === 1 ? '/final' : `/r${i - 1}` });
    const ok = (await createTaskHarness().run(videoDownload, { url: server.url('/r5'), dir, filename: 'a' })) as { sha256: string };
    expect(ok.sha256).toBe(generatedSha256(4, 5000));
    const err = await createTaskHarness().runExpectingError(videoDownload, { url: server.url('/r6'), dir, filename: 'b' });
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'HTTP_ERROR', message: expect.stringContaining('redirects') });
  });

  it('refuses a redirect to a non-http scheme', async () => {
    server.route('/evil', { redirectTo: 'file:///etc/passwd' });
    const err = await createTaskHarness().runExpectingError(videoDownload, { url: server.url('/evil'), dir, filename: 'e' });
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'HTTP_ERROR', message: expect.stringContaining('file:') });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('downloads a body sent without Content-Length', async () => {
    server.route('/chunked', { content: { size: 2 * MiB, seed: 5 }, omitContentLength: true });
    const res = (await createTaskHarness().run(videoDownload, { url: server.url('/chunked'), dir, filename: 'c' })) as { sha256: string };
    expect(res.sha256).toBe(generatedSha256(5, 2 * MiB));
  });
});

describe('video-download: paths are confined to dir', () => {
  const bad = ['../../x', '../x', '/etc/passwd', 'a/b', 'a\\b', 'nul\0byte', '..', '.', 'x.part', ''];

  it.each(bad)('the input schema refuses filename %j', (filename) => {
    expect(videoDownloadInput.safeParse({ url: 'http://127.0.0.1/x', dir, filename }).success).toBe(false);
  });

  it.each(bad)('the handler refuses filename %j with BAD_INPUT before any request', async (filename) => {
    server.route('/v', { content: { size: 10, seed: 1 } });
    // Bypass the schema to prove the handler defends itself.
    const unchecked = { ...createVideoDownload(), input: { parse: (v: unknown) => v } } as unknown as TaskDefinition;
    const h = createTaskHarness();
    const err = await h.runExpectingError(unchecked, { url: server.url('/v'), dir, filename });
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'BAD_INPUT' });
    expect(server.stats('/v').requests).toBe(0);
    expect(fs.readdirSync(path.dirname(dir)).filter((n) => n === 'x' || n === 'passwd')).toEqual([]);
  });

  // Relative dirs are accepted since downloads are confined: they resolve under the default
  // downloads folder, and one that climbs out of it is refused (download-confinement.test.ts).
  it('refuses non-http URLs, escaping dirs and malformed sha256 in the schema', () => {
    expect(videoDownloadInput.safeParse({ url: 'file:///etc/passwd', dir }).success).toBe(false);
    expect(videoDownloadInput.safeParse({ url: 'ftp://h/x', dir }).success).toBe(false);
    expect(videoDownload.input.safeParse({ url: 'http://h/x', dir: '../../relative/dir' }).success).toBe(false);
    expect(videoDownloadInput.safeParse({ url: 'http://h/x', dir, sha256: 'abc' }).success).toBe(false);
    expect(videoDownloadInput.safeParse({ url: 'http://h/x', dir, extra: 1 }).success).toBe(false);
    expect(videoDownloadInput.safeParse({ url: 'http://h/x', dir, sha256: 'A'.repeat(64), expectedSize: 3 }).success).toBe(true);
  });
});

describe('video-download: integrity', () => {
  it('a sha256 mismatch deletes the .part, is retryable once, then permanent', async () => {
    server.route('/v', { content: { size: 100_000, seed: 6 } });
    const h = createTaskHarness();
    const input = { url: server.url('/v'), dir, filename: 'v.mp4', sha256: '0'.repeat(64) };
    const first = await h.runExpectingError(videoDownload, input);
    expect(first).toBeInstanceOf(RetryableError);
    expect(first).toMatchObject({ code: 'INTEGRITY' });
    expect(fs.readdirSync(dir)).toEqual([]);
    const second = await h.runExpectingError(videoDownload, input);
    expect(second).toBeInstanceOf(PermanentError);
    expect(second).toMatchObject({ code: 'INTEGRITY' });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a size announced different from expectedSize fails before downloading the body', async () => {
    server.route('/v', { content: { size: 64 * MiB, seed: 7 } });
    const h = createTaskHarness();
    const err = await h.runExpectingError(videoDownload, { url: server.url('/v'), dir, filename: 'v', expectedSize: 123 });
    expect(err).toMatchObject({ code: 'INTEGRITY', message: expect.stringContaining('123') });
    expect(server.stats('/v').bytesSent).toBeLessThan(32 * MiB); // the socket was dropped, not drained
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
