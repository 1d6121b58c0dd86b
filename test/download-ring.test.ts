import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPartFile, type OpenPart } from '../src/task-service/tasks/download/part-file';
import { SINK_HIGH_WATER_MARK } from '../src/task-service/tasks/download/part-sink';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { createTaskHarness } from './support/task-context';
import { tmpDir } from './support/tmp';
import { generatedSha256 } from './support/generated-content';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server';

/**
 * The raw reader's ring (download/raw-get.ts) when the disk is slower than the network: the
 * 16 MiB ring fills, reading pauses and resumes as regions are written and hashed, and every
 * byte lands once, in order. Writes stay within the sink's batch size (the crash bound).
 */

const MiB = 1024 * 1024;
let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(() => server.close());

/** The real .part, each write delayed: the disk is the bottleneck. */
function slowDisk(delayMs: number, writes: number[]): OpenPart {
  return async (p) => {
    const real = await openPartFile(p);
    return {
      ...real,
      write: async (buf, pos) => {
        writes.push(buf.byteLength);
        await new Promise((r) => setTimeout(r, delayMs));
        return real.write(buf, pos);
      },
    };
  };
}

describe('video-download: the raw reader', () => {
  it('a disk slower than the network fills the ring, pauses reading, and still gets every byte in order', async () => {
    const size = 40 * MiB + 123;
    server.route('/big', { content: { size, seed: 77 } });
    const writes: number[] = [];
    const def = createVideoDownload({ openPart: slowDisk(15, writes) });
    const dir = tmpDir();
    const result = await createTaskHarness().run(def, { url: server.url('/big'), dir, filename: 'big.bin' });
    expect(result).toEqual({ path: path.join(dir, 'big.bin'), bytes: size, sha256: generatedSha256(77, size) });
    expect(fs.statSync(path.join(dir, 'big.bin')).size).toBe(size);
    expect(Math.max(...writes)).toBeLessThanOrEqual(SINK_HIGH_WATER_MARK);
    // The ring (16 MiB) cannot hold the body: reading had to wait for the disk.
    expect(writes.reduce((a, b) => a + b, 0)).toBe(size);
  });

  it('our own slowness is not the server stalling: a disk slower than the idle timeout still completes', async () => {
    // Regression: the socket's idle timer ran while the body waited for the .part to open and
    // while a full ring waited for the disk, so a slow disk read as "the server stalled".
    const size = 20 * MiB;
    server.route('/patient', { content: { size, seed: 79 } });
    const slowOpen: OpenPart = async (p) => {
      await new Promise((r) => setTimeout(r, 400));
      return slowDisk(300, [])(p);
    };
    const dir = tmpDir();
    const result = await createTaskHarness().run(createVideoDownload({ openPart: slowOpen, idleTimeoutMs: 150 }), { url: server.url('/patient'), dir, filename: 'p.bin' });
    expect(result).toMatchObject({ bytes: size, sha256: generatedSha256(79, size) });
  });

  it('a chunked body (no Content-Length) is read through node:http instead', async () => {
    server.route('/chunked2', { content: { size: 3 * MiB, seed: 78 }, omitContentLength: true });
    const dir = tmpDir();
    await expect(createTaskHarness().run(createVideoDownload(), { url: server.url('/chunked2'), dir, filename: 'c.bin' })).resolves.toMatchObject({ bytes: 3 * MiB, sha256: generatedSha256(78, 3 * MiB) });
  });
});
