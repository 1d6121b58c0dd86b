import { RetryableError } from '../../engine/define';

/**
 * One writer per .part file in this process. Two downloads that resolve to the same target
 * (same folder, same derived name) would otherwise interleave their bytes in one file; the
 * second waits (a retryable CONFLICT, so it backs off) until the first has finished, then finds
 * the finished file and either matches it or refuses to overwrite it (finish.ts).
 */
const held = new Set<string>();

/** Takes the lock for `partPath` or throws; returns the release function (idempotent). */
export function lockPart(partPath: string): () => void {
  const release = tryLockPart(partPath);
  if (release === null) throw new RetryableError('CONFLICT', `Another download is writing ${partPath}; this one will retry once it is done.`);
  return release;
}

/** The lock for `partPath`, or null while another download holds it. */
export function tryLockPart(partPath: string): (() => void) | null {
  if (held.has(partPath)) return null;
  held.add(partPath);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(partPath);
  };
}
