import { Writable } from 'node:stream';

/**
 * The Writable end of `pipeline(response, sink)`. It exists for backpressure and batching: the
 * stream machinery hands us every chunk that piled up while the previous write was on disk
 * (writev), and holds the socket while we write, fsync and checkpoint. All state lives in the
 * transfer's `append`; the sink only remembers the write in flight so an abort can wait for it.
 */
export class PartSink extends Writable {
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly append: (chunks: Buffer[]) => Promise<void>) {
    // 256 KiB lets a slow disk write collect a few 64 KiB socket reads into one writev, while
    // keeping a batch small next to the checkpoint interval.
    super({ highWaterMark: 256 * 1024 });
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
