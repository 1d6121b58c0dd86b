import { Writable } from 'node:stream';

/** The most bytes the sink queues behind the write in flight. */
export const SINK_HIGH_WATER_MARK = 4 * 1024 * 1024;

/**
 * The Writable end of `pipeline(response, sink)`. It exists for backpressure and batching: the
 * stream machinery hands us every chunk that piled up while the previous write was on disk
 * (writev), and holds the socket while we write, fsync and checkpoint. All state lives in the
 * transfer's `append`; the sink only remembers the write in flight so an abort can wait for it.
 */
export class PartSink extends Writable {
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly append: (chunks: Buffer[]) => Promise<void>) {
    // While one write is on the thread pool, up to 4 MiB of socket reads queue for the next
    // writev instead of pausing the socket. At 256 KiB a fast transfer stalled on every pool
    // round trip (bench: ~0.75 of a plain copy's throughput; ~0.9 at 1-4 MiB, flat beyond).
    // A batch only grows while a write is slow, so a slow transfer still writes each read as
    // it comes; the crash bound counts a batch or two on top of the checkpoint interval.
    super({ highWaterMark: SINK_HIGH_WATER_MARK });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.run([chunk], callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.run(chunks.map((c) => c.chunk), callback);
  }

  /** Resolves once no write is in flight (whatever its outcome). */
  settled(): Promise<void> {
    return this.pending.catch(() => undefined);
  }

  private run(chunks: Buffer[], callback: (error?: Error | null) => void): void {
    this.pending = this.append(chunks);
    this.pending.then(() => callback(), (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))));
  }
}
