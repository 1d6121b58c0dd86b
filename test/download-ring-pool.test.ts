import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskAbort } from '../src/task-service/engine/define';
import { ringStats } from '../src/task-service/tasks/download/ring-pool';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { createTaskHarness } from './support/task-context';
import { tmpDir } from './support/tmp';
import { generatedSha256 } from './support/generated-content';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server';

/**
 * The raw reader's rings are kept for the next download (ring-pool.ts), so a fresh ring's page
 * faults are paid once, not per download. Reuse must never mix two downloads' bytes: a ring is
 * given back only by a pump that ended cleanly, and downloads running at once each have their own.
 */

const MiB = 1024 * 1024;
let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(() => server.close());

const download = createVideoDownload();

describe('video-download: ring reuse', () => {
  it('back-to-back downloads share one ring, and each hashes its own bytes', async () => {
    server.route('/a', { content: { size: 20 * MiB + 1, seed: 81 } });
    server.route('/b', { content: { size: 18 * MiB + 7, seed: 82 } });
    const dir = tmpDir();
    const before = ringStats().allocated;
    expect(await createTaskHarness().run(download, { url: server.url('/a'), dir, filename: 'a' })).toMatchObject({ sha256: generatedSha256(81, 20 * MiB + 1) });
    expect(await createTaskHarness().run(download, { url: server.url('/b'), dir, filename: 'b' })).toMatchObject({ sha256: generatedSha256(82, 18 * MiB + 7) });
    expect(ringStats().allocated - before).toBeLessThanOrEqual(1);
    expect(ringStats().spares).toBeGreaterThanOrEqual(1);
  });

  it('downloads running at once each read into a ring of their own', async () => {
    const sizes = [9 * MiB + 3, 10 * MiB + 5, 11 * MiB + 9];
    sizes.forEach((size, i) => server.route(`/c${i}`, { content: { size, seed: 90 + i }, bytesPerSecond: 32 * MiB }));
    const dir = tmpDir();
    const results = await Promise.all(sizes.map((_, i) => createTaskHarness().run(download, { url: server.url(`/c${i}`), dir, filename: `c${i}` })));
    results.forEach((r, i) => expect(r).toMatchObject({ bytes: sizes[i], sha256: generatedSha256(90 + i, sizes[i]!) }));
    expect(ringStats().spares).toBe(3); // all three came back, none twice
  });

  it('a pump that fails (a cancel mid-body) does not give its ring back', async () => {
    server.route('/d', { content: { size: 12 * MiB, seed: 95 }, bytesPerSecond: 16 * MiB });
    server.route('/e', { content: { size: MiB, seed: 96 } });
    await createTaskHarness().run(download, { url: server.url('/e'), dir: tmpDir(), filename: 'e' }); // at least one spare now
    const spares = ringStats().spares;
    expect(spares).toBeGreaterThanOrEqual(1);
    const h = createTaskHarness();
    h.onProgress = (p) => {
      if ((p.current ?? 0) >= 2 * MiB) h.abort('cancel');
    };
    expect(await h.runExpectingError(download, { url: server.url('/d'), dir: tmpDir(), filename: 'd' })).toBeInstanceOf(TaskAbort);
    expect(ringStats().spares).toBe(spares - 1); // it took a spare and kept it from the next download
  });
});
