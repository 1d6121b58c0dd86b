/**
 * The raw reader's rings (raw-get.ts), kept a short while after a download for the next one. A
 * fresh ring is untouched memory: the kernel's first copy into each of its 4 KiB pages faults
 * and zeroes it, ~8 ms of the reading thread per 16 MiB ring, every download (on the critical
 * thread of a transfer that takes ~270 ms for 256 MiB at loopback speed). A ring is given back
 * only by a pump that ended cleanly, once every write and hash of it is done: nothing else
 * holds it then. Spares are dropped after SPARE_MS idle, so an idle service keeps no rings.
 */

export const RING = 16 * 1024 * 1024;
/** Spares kept at most: the downloads one user runs at once (video-download's concurrency). */
const MAX_SPARES = 3;
const SPARE_MS = 10_000;

const spares: Buffer[] = [];
let dropTimer: NodeJS.Timeout | null = null;
let allocated = 0;

/** A ring of RING bytes of shared memory: a spare if one is kept, else a fresh one. */
export function takeRing(): Buffer {
  const ring = spares.pop();
  if (ring !== undefined) return ring;
  allocated += 1;
  return Buffer.from(new SharedArrayBuffer(RING));
}

/** Keeps `ring` for the next download. Only once nothing reads or writes it any more. */
export function giveRing(ring: Buffer): void {
  if (spares.length < MAX_SPARES) spares.push(ring);
  if (dropTimer !== null) dropTimer.refresh();
  else {
    dropTimer = setTimeout(() => {
      spares.length = 0;
      dropTimer = null;
    }, SPARE_MS);
    dropTimer.unref(); // a spare ring never keeps the process alive
  }
}

/** Rings allocated so far, and spares kept now (for tests). */
export function ringStats(): { allocated: number; spares: number } {
  return { allocated, spares: spares.length };
}
