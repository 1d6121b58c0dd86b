import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inlineWhileFast, type WriteTarget } from '../src/task-service/tasks/download/inline-write';
import { openPartFile } from '../src/task-service/tasks/download/part-file';

/**
 * The .part is written on the calling thread while writes are quick, and on the thread pool
 * from the first slow one (inline-write.ts): the main thread of the service waits for at most
 * one slow write per file. The clock is fake; the bytes land in a real file.
 */

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-inline-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A real file behind both paths, with each call logged and every sync write "taking" `cost()` ms. */
function target(fd: number, clock: { now: number }, cost: () => number, shortBy = 0): { t: WriteTarget; log: string[] } {
  const log: string[] = [];
  const t: WriteTarget = {
    writeSync: (buf, offset, length, position) => {
      clock.now += cost();
      log.push(`sync ${position}`);
      return fs.writeSync(fd, buf, offset, Math.max(1, length - shortBy), position);
    },
    write: async (buf, offset, length, position) => {
      log.push(`pool ${position}`);
      return new Promise((resolve, reject) => fs.write(fd, buf, offset, Math.max(1, length - shortBy), position, (e, n) => (e ? reject(e) : resolve(n))));
    },
  };
  return { t, log };
}

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('part writes: inline while fast', () => {
  it('writes inline while each write is quick, then moves to the thread pool for good after a slow one', async () => {
    const file = path.join(dir, 'a');
    const fd = fs.openSync(file, 'w+');
    const clock = { now: 0 };
    const costs = [1, 2, 50, 1, 1];
    const { t, log } = target(fd, clock, () => costs.shift() ?? 1);
    const write = inlineWhileFast(t, 10, () => clock.now);
    const chunks = [0, 1, 2, 3, 4].map((i) => bytes(1000, i));
    for (const [i, c] of chunks.entries()) await write(c, i * 1000);
    fs.closeSync(fd);
    expect(log).toEqual(['sync 0', 'sync 1000', 'sync 2000', 'pool 3000', 'pool 4000']);
    expect(fs.readFileSync(file).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('loops over short writes on either path and leaves no gap', async () => {
    const file = path.join(dir, 'b');
    const fd = fs.openSync(file, 'w+');
    const clock = { now: 0 };
    let calls = 0;
    // Every call writes 300 bytes fewer than asked; the third inline call is slow.
    const { t, log } = target(fd, clock, () => (++calls === 3 ? 100 : 0), 300);
    const write = inlineWhileFast(t, 10, () => clock.now);
    const data = bytes(1000, 9);
    await write(data, 0);
    fs.closeSync(fd);
    expect(log.filter((l) => l.startsWith('sync'))).toHaveLength(3);
    expect(log.filter((l) => l.startsWith('pool')).length).toBeGreaterThan(0);
    expect(fs.readFileSync(file).equals(data)).toBe(true);
  });

  it('a failing inline write rejects with the system error (so ENOSPC still becomes DISK_FULL)', async () => {
    const t: WriteTarget = {
      writeSync: () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
      write: async () => 0,
    };
    await expect(inlineWhileFast(t)(bytes(10, 1), 0)).rejects.toMatchObject({ code: 'ENOSPC' });
  });

  it('the real .part handle writes the bytes at their positions, short of nothing', async () => {
    const h = await openPartFile(path.join(dir, 'c.part'));
    const a = bytes(3 * 1024 * 1024 + 5, 3);
    const b = bytes(777, 4);
    await h.write(a, 0);
    await h.write(b, a.length);
    await h.close();
    expect(fs.readFileSync(path.join(dir, 'c.part')).equals(Buffer.concat([a, b]))).toBe(true);
  });
});
