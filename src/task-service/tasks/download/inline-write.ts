/**
 * How the .part is written: on the calling thread while the page cache takes writes at once, on
 * the thread pool from the first write that was slow.
 *
 * A write into the page cache is a memcpy (~0.3 ms per MiB here). Sent to the thread pool
 * instead, it woke a third busy thread beside the socket reader and the hashing thread; on two
 * cores the scheduler then shared them out and the hashing thread, the longest job, lost a third
 * of its core (bench/download.ts, same run, 11 rounds: 771 MiB/s and 0.54 CPU-s with pool writes,
 * 921 MiB/s and 0.48 CPU-s inline). Inline, the bytes are also copied while the read left them in
 * this core's cache. The price is the main thread's time, which is why a write that takes longer
 * than `slowMs` (a slow disk, or the kernel throttling a writer that outruns it) sends this
 * file's writes back to the pool for good: an RPC waits at most one slow write, once.
 */

/** The two ways to write part of `buf` at `position`; both answer the bytes written. */
export interface WriteTarget {
  writeSync(buf: Uint8Array, offset: number, length: number, position: number): number;
  write(buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
}

/** A write that takes longer than this moves the file's writes to the thread pool. */
export const SLOW_WRITE_MS = 10;

/** Writes all of `buf` at `position` (looping over short writes), inline while writes are fast. */
export function inlineWhileFast(target: WriteTarget, slowMs = SLOW_WRITE_MS, now: () => number = () => performance.now()): (buf: Uint8Array, position: number) => Promise<void> {
  let inline = true;
  return async (buf, position) => {
    let done = 0;
    while (done < buf.byteLength) {
      if (inline) {
        const start = now();
        done += target.writeSync(buf, done, buf.byteLength - done, position + done);
        if (now() - start > slowMs) inline = false;
      } else {
        done += await target.write(buf, done, buf.byteLength - done, position + done);
      }
    }
  };
}
