import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { localHash, workerHash, type StreamHash } from '../src/task-service/tasks/download/stream-hash';
import { tmpDir } from './support/tmp';

/**
 * The download's running sha256 on the shared hashing thread: the same digest as node:crypto
 * for every shape of chunk a stream or a file read produces, sessions that do not mix, chunks
 * moved (not copied) only when they own their memory, and a worker that never keeps the
 * process alive once idle.
 */

const sha = (parts: Buffer[]): string => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest('hex');

/** Chunks like a socket's (own ArrayBuffer), a pool slice, a window into a bigger buffer, two
 * windows on one ArrayBuffer in the same update, and an empty one. */
function mixedChunks(): Buffer[][] {
  const big = randomBytes(300_000);
  const shared = Buffer.allocUnsafeSlow(70_000).fill(7);
  return [
    [randomBytes(65_536), Buffer.from('pool slice'), big.subarray(1000, 200_000)],
    [shared.subarray(0, 30_000), shared.subarray(30_000), Buffer.alloc(0)],
    [Buffer.from(randomBytes(131_072))],
  ];
}

async function feed(h: StreamHash, batches: Buffer[][]): Promise<string> {
  for (const batch of batches) await h.update(batch);
  return h.digest();
}

describe('video-download: the running sha256', () => {
  it('matches node:crypto for every kind of chunk, on the worker and on this thread', async () => {
    for (const make of [workerHash, localHash]) {
      const batches = mixedChunks();
      const expected = sha(batches.flat().map((b) => Buffer.from(b))); // copies: feeding may move them
      expect(await feed(make(), batches)).toBe(expected);
    }
    expect(await workerHash().digest()).toBe(sha([]));
  });

  it('keeps concurrent downloads apart, and a dropped session does not disturb the others', async () => {
    const a = workerHash();
    const b = workerHash();
    const dropped = workerHash();
    const partsA = [randomBytes(100_000), randomBytes(5)];
    const partsB = [randomBytes(70_000), randomBytes(90_000)];
    const expectA = sha(partsA.map((p) => Buffer.from(p)));
    const expectB = sha(partsB.map((p) => Buffer.from(p)));
    await a.update([partsA[0]!]);
    await dropped.update([randomBytes(50_000)]);
    await b.update([partsB[0]!]);
    dropped.dispose();
    await a.update([partsA[1]!]);
    await b.update([partsB[1]!]);
    expect(await b.digest()).toBe(expectB);
    expect(await a.digest()).toBe(expectA);
    dropped.dispose(); // twice is harmless
  });

  it('moves chunks that own their memory and copies slices of shared memory (the Buffer pool)', async () => {
    const owned = Buffer.allocUnsafeSlow(64 * 1024).fill(1);
    const pooled = Buffer.from('abc'); // a slice of the shared pool: moving it would break others
    const window = Buffer.allocUnsafeSlow(64 * 1024).fill(2).subarray(10);
    const h = workerHash();
    await h.update([owned, pooled, window]);
    expect(owned.byteLength).toBe(0); // detached: the caller must not reuse it
    expect(pooled.toString()).toBe('abc');
    expect(window.byteLength).toBe(64 * 1024 - 10);
    h.dispose();
  });

  it('a process that hashed on the worker exits by itself (an idle worker holds no reference)', () => {
    const dir = tmpDir('dl-hash-');
    const script = path.join(dir, 'hash-and-exit.mts');
    const module = pathToFileURL(path.resolve('src/task-service/tasks/download/stream-hash.ts')).href;
    fs.writeFileSync(script, `import { workerHash } from ${JSON.stringify(module)};\nconst h = workerHash();\nawait h.update([Buffer.alloc(100000, 1)]);\nconsole.log(await h.digest());\nworkerHash().dispose();\n`);
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.error).toBeUndefined(); // a timeout here means the worker kept the process alive
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(sha([Buffer.alloc(100000, 1)]));
  });
});
