import { createHash } from 'node:crypto';

/**
 * Deterministic test bytes of any size without storing files: the body is a seeded 1 MiB-ish
 * random pattern, rotated by a different amount in every period. The period is prime and each
 * period is shifted, so a resume at a wrong offset (even by a whole period) changes the digest.
 * Chunks are subarrays of the cached pattern: serving 200 MiB copies nothing.
 */

const PERIOD = 1_048_573; // prime, just under 1 MiB
const SHIFT = 7_919;
const patterns = new Map<number, Buffer>();

function pattern(seed: number): Buffer {
  let p = patterns.get(seed);
  if (!p) {
    p = Buffer.allocUnsafe(PERIOD);
    let x = (seed * 2654435761) >>> 0 || 0x9e3779b9;
    for (let i = 0; i < PERIOD; i++) {
      // xorshift32: fast, seeded, good enough to make every offset distinct.
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      p[i] = x & 0xff;
    }
    patterns.set(seed, p);
  }
  return p;
}

/** The content seed of a route at a given version (a new version means new bytes). */
export function versionSeed(seed: number, version: number): number {
  return seed + version * 1_000_003;
}

/** Yields the bytes [start, end) of the content for `seed` as zero-copy slices. */
export function* contentSlices(seed: number, start: number, end: number, maxSlice = 64 * 1024): Generator<Buffer> {
  const p = pattern(seed);
  let i = start;
  while (i < end) {
    const period = Math.floor(i / PERIOD);
    const src = ((i % PERIOD) + period * SHIFT) % PERIOD;
    // Stop at the end of the pattern and at the end of the period, whichever is nearer.
    const len = Math.min(end - i, PERIOD - src, PERIOD - (i % PERIOD), maxSlice);
    yield p.subarray(src, src + len);
    i += len;
  }
}

/** The whole content as one buffer (for small sizes in tests). */
export function generatedContent(seed: number, size: number): Buffer {
  return Buffer.concat([...contentSlices(seed, 0, size)]);
}

export function generatedSha256(seed: number, size: number): string {
  const hash = createHash('sha256');
  for (const slice of contentSlices(seed, 0, size, 1 << 20)) hash.update(slice);
  return hash.digest('hex');
}
