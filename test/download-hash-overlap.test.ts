import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DownloadCheckpoint } from '../src/task-service/tasks/download/checkpoint';
import { openPartFile, type OpenPart } from '../src/task-service/tasks/download/part-file';
import { localHash, type StreamHash } from '../src/task-service/tasks/download/stream-hash';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { createTaskHarness } from './support/task-context';
import { generatedContent, generatedSha256 } from './support/generated-content';
import type { LoopbackServer } from './support/loopback-server';
import { serverAndDirPerTest } from './support/per-test';

let server: LoopbackServer;
let dir: string;
const MiB = 1024 * 1024;

serverAndDirPerTest('dl-overlap-', (s, d) => ((server = s), (dir = d)));

/** A real sha256 that counts what it was fed and wakes whoever waits for `bytes` of it. */
function countingHash(): { hash: () => StreamHash; fed: () => number; whenFed: (bytes: number) => Promise<void> } {
  let fed = 0;
  let waiters: Array<{ bytes: number; wake: () => void }> = [];
  const note = (n: number): void => {
    fed += n;
    for (const w of waiters.filter((x) => fed >= x.bytes)) w.wake();
    waiters = waiters.filter((x) => fed < x.bytes);
  };
  const hash = (): StreamHash => {
    const inner = localHash();
    return {
      update: async (chunks) => (note(chunks.reduce((n, c) => n + c.byteLength, 0)), inner.update(chunks)),
      updateShared: async (region) => (note(region.byteLength), inner.updateShared(region)),
      digest: () => inner.digest(),
      dispose: () => inner.dispose(),
    };
  };
  const whenFed = (bytes: number): Promise<void> => (fed >= bytes ? Promise.resolve() : new Promise((wake) => waiters.push({ bytes, wake })));
  return { hash, fed: () => fed, whenFed };
}

describe('video-download: hashing beside the disk', () => {
  it('hashes bytes while the write of earlier bytes is still on disk (a slow disk does not idle the hash)', async () => {
    const size = 8 * MiB;
    server.route('/v', { content: { size, seed: 41 } });
    const counted = countingHash();
    let firstWriteSawHashing: boolean | null = null;
    // The first write waits until the hash has been fed 2 MiB, or gives up after 5 s and says so:
    // a reader that hashes only after each write lands never feeds it, and the test fails, not hangs.
    const slowFirstWrite: OpenPart = async (p) => {
      const real = await openPartFile(p);
      return {
        ...real,
        write: async (b, pos) => {
          if (firstWriteSawHashing === null) {
            let timer: NodeJS.Timeout | undefined;
            const giveUp = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5000)));
            firstWriteSawHashing = await Promise.race([counted.whenFed(2 * MiB).then(() => true), giveUp]);
            clearTimeout(timer);
          }
          await real.write(b, pos);
        },
      };
    };
    const h = createTaskHarness<DownloadCheckpoint>();
    const result = await h.run(createVideoDownload({ openPart: slowFirstWrite, hash: counted.hash }), { url: server.url('/v'), dir, filename: 'v' });
    expect(firstWriteSawHashing).toBe(true);
    // The digest still covers exactly the bytes on disk, once each.
    expect(result).toMatchObject({ bytes: size, sha256: generatedSha256(41, size) });
    expect(counted.fed()).toBe(size);
    expect(fs.readFileSync(path.join(dir, 'v')).equals(generatedContent(41, size))).toBe(true);
  });
});
