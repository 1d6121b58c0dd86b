import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PermanentError, RetryableError, TaskAbort, type TaskContext } from '../../engine/define';
import { isNetworkError, statusError } from '../http-get';
import { contentLength, ifRangeValue, parseCheckpoint, parseContentRange, parseUnsatisfiedRange, type DownloadCheckpoint } from './checkpoint';
import { diskFullError, isDiskFull, removeIfPresent, type OpenPart, type PartHandle } from './part-file';
import { lockPart, tryLockPart } from './part-lock';
import { PartSink } from './part-sink';
import { Checkpointer } from './checkpointer';
import { checkFilename, deriveFilename, filenameProblem } from './safe-path';
import type { StreamHash } from './stream-hash';
import { finishDownload, hashPrefix, recoverCompleted, type DownloadResult } from './finish';
import { enforceByteCap } from './byte-cap';
import { prepareDir, removeEmptyDirs, type PrepareDirOptions } from './prepare-dir';
import { rootsFromEnv, type DownloadRoots } from './roots';
import { DEFAULT_STALL_RULE, StallWatch, type StallRule } from './stall-watch';
import { alreadyDownloaded, type AlreadyResult } from './already';
import { isPageType, mediaFilename, MediaSource, type Resolver } from './media-source';
import { getMedia, type MediaAnswer } from './media-get';

/**
 * One run of a resumable download. Invariant: a saved checkpoint never claims more bytes than
 * are fsynced in the .part, so after any crash "truncate to checkpoint.bytes, then Range from
 * there" is correct. The running sha256 covers exactly the bytes in the .part once a round's
 * writes are done (the raw reader hashes beside the write; a failed write ends the run): a resumed run
 * hashes the kept prefix once, then hashes as it appends, so a fresh download is read from disk
 * zero times and a resumed one reads only its prefix (cheaper than rehashing at the end).
 * The input URL may be a page: see media-source.ts for resolving it and for expired URLs.
 */

export interface DownloadInput {
  url: string;
  dir: string;
  filename?: string;
  expectedSize?: number;
  sha256?: string;
}

export interface DownloadOptions {
  /** Checkpoint every this many new bytes, but not more often than checkpointMinMs, and at
   * least every checkpointMs while bytes arrive (see checkpointer.ts). */
  checkpointBytes: number;
  checkpointMinMs: number;
  checkpointMs: number;
  /** Write-behind step between checkpoints (checkpointer.ts; default FLUSH_BYTES). */
  flushBytes?: number;
  /** No data for this long (headers or body) -> retryable NETWORK error. */
  idleTimeoutMs: number;
  maxRedirects: number;
  openPart: OpenPart;
  /** The running sha256 (off the main thread by default). */
  hash: () => StreamHash;
  now: () => number;
  /** The folders this download may write into (default: rootsFromEnv()); see roots.ts. */
  roots?: DownloadRoots;
  /** Folder creation bounds (prepare-dir.ts), the size ceiling (byte-cap.ts), the speed rule. */
  folders?: PrepareDirOptions;
  maxBytes?: number;
  stall?: StallRule;
  /** Turns a page URL into a media URL (yt-dlp); null: pages fail with NOT_A_VIDEO. */
  resolve: Resolver | null;
  /** Fresh resolves per run after the media URL expired (403/410). */
  maxReResolves: number;
}

type Outcome = 'done' | 'again' | 'again-after-416' | 'page' | { expired: number };

export class Transfer {
  readonly source: MediaSource;
  readonly dir: string;
  file: string | null;
  handle: PartHandle | null = null;
  bytes = 0;
  hash: StreamHash;
  etag: string | null = null;
  lastModified: string | null = null;
  total: number | null = null;
  integrityFailures = 0;
  private sink: PartSink | null = null;
  /** The raw pump's write in flight (the sink's counterpart), so a failure waits for it. */
  private pumping: Promise<unknown> | null = null;
  private readonly checkpoints: Checkpointer;
  /** Set while this run holds the .part lock; a run that never got it must not touch the file. */
  private releasePart: (() => void) | null = null;
  private readonly roots: DownloadRoots;
  private speed: StallWatch | null = null;
  /** Folders prepareDir made for this run: removed again when it fails having written nothing. */
  private readonly createdDirs: string[] = [];

  constructor(readonly ctx: TaskContext<DownloadInput, DownloadCheckpoint>, readonly opts: DownloadOptions) {
    const { input } = ctx;
    this.source = new MediaSource(input.url, opts.resolve, opts.maxReResolves);
    if (!/^https?:$/.test(this.source.url.protocol)) throw new PermanentError('BAD_INPUT', `Only http and https URLs can be downloaded, not ${this.source.url.protocol}`);
    this.roots = opts.roots ?? rootsFromEnv();
    this.dir = this.roots.confine(input.dir).dir; // OUTSIDE_DOWNLOADS before anything touches the disk
    this.file = input.filename === undefined ? null : checkFilename(input.filename);
    this.checkpoints = new Checkpointer(opts, (bytes, sha) => this.persist(bytes, sha), () => this.syncPart());
    this.hash = opts.hash();
  }

  get partPath(): string {
    return path.join(this.dir, `${this.file ?? 'download'}.part`);
  }

  get finalPath(): string {
    return path.join(this.dir, this.file ?? 'download');
  }

  checkpointAt(bytes: number, completeSha256: string | null = null): DownloadCheckpoint {
    return { url: this.ctx.input.url, file: this.file ?? '', bytes, etag: this.etag, lastModified: this.lastModified, total: this.total, integrityFailures: this.integrityFailures, completeSha256, media: this.source.ref() };
  }

  async run(): Promise<DownloadResult | AlreadyResult> {
    try {
      if (this.ctx.signal.aborted) throw this.ctx.signal.reason;
      // Before anything is read or fetched: the folder is confined, vetted and bounded in time.
      await prepareDir(this.roots, this.dir, this.ctx.signal, { ...this.opts.folders, onCreated: (d) => this.createdDirs.push(d) });
      const recovered = (await this.resume()) ?? (this.bytes === 0 ? await alreadyDownloaded(this) : null);
      if (recovered) {
        this.hash.dispose();
        return recovered;
      }
      let after416 = false;
      const log = (line: string): void => this.ctx.log(line);
      // Rounds count resume answers that made us start over; resolving a page does not.
      for (let round = 0; round < 4; ) {
        // A fresh speed window per request: resolving a page (yt-dlp) moves no bytes and is no stall.
        this.speed?.stop();
        this.speed = new StallWatch(this.ctx.signal, this.opts.stall ?? DEFAULT_STALL_RULE, () => this.bytes, this.source.url.host, this.opts.now);
        const headers = { ...this.source.headers, ...this.rangeHeaders() };
        const answer = await getMedia(this.source.url, { headers, signal: this.speed.signal, idleTimeoutMs: this.opts.idleTimeoutMs, maxRedirects: this.opts.maxRedirects });
        let outcome: Outcome;
        try {
          outcome = await this.receive(answer, after416);
        } finally {
          answer.close();
        }
        if (outcome === 'done') return await finishDownload(this);
        if (outcome === 'page') {
          const media = await this.source.resolvePage(this.ctx.signal, log);
          this.file ??= mediaFilename(media);
          // A task still titled by its address (the Download form does that) gets the video's title.
          const { title, type } = this.ctx.task;
          if (title === this.ctx.input.url || title === type || title === '') await this.ctx.setTitle(media.title);
          const already = this.bytes === 0 ? await alreadyDownloaded(this) : null;
          if (already) {
            this.hash.dispose();
            return already;
          }
          continue;
        }
        if (typeof outcome === 'object') {
          const media = await this.source.reResolve(outcome.expired, this.ctx.signal, log);
          // A known new size that differs means new content: the kept bytes are not a prefix of it.
          if (media.filesize !== null && this.total !== null && media.filesize !== this.total) await this.restartFromZero(`the video is now ${media.filesize} bytes, not ${this.total}`);
          continue;
        }
        round += 1;
        if (outcome === 'again-after-416') after416 = true;
      }
      throw new RetryableError('HTTP_ERROR', `${this.source.url.host} kept answering resume requests inconsistently; will retry.`);
    } catch (e) {
      const err = await this.fail(e);
      // A page without a video (or any run that never opened its .part) leaves no folder behind.
      if (this.releasePart === null) await removeEmptyDirs(this.createdDirs);
      throw err;
    } finally {
      this.speed?.stop();
      this.releasePart?.();
    }
  }

  /** Picks up the checkpoint: truncate the .part to what it vouches for and rehash that prefix. */
  private async resume(): Promise<DownloadResult | null> {
    const cp = parseCheckpoint(this.ctx.checkpoint);
    if (!cp || cp.url !== this.ctx.input.url || filenameProblem(cp.file) !== null) return null;
    if (this.file !== null && cp.file !== this.file) return null;
    if (cp.media && URL.canParse(cp.media.url)) this.source.restore(cp.media);
    this.file = cp.file;
    this.integrityFailures = cp.integrityFailures;
    if (cp.completeSha256 !== null) return recoverCompleted(this, cp);
    if (cp.bytes === 0) return null;
    const handle = await this.open();
    const size = await handle.size();
    if (size < cp.bytes) {
      this.ctx.log(`The partial file holds ${size} bytes but the checkpoint says ${cp.bytes}; starting over.`);
      return null;
    }
    // Bytes past the checkpoint were written but never vouched for by an fsync + checkpoint.
    await handle.truncate(cp.bytes);
    await hashPrefix(this, cp.bytes);
    Object.assign(this, { bytes: cp.bytes, etag: cp.etag, lastModified: cp.lastModified, total: cp.total });
    this.checkpoints.reset(cp.bytes);
    this.ctx.progress({ current: this.bytes, total: this.total, ratio: this.total ? this.bytes / this.total : null });
    return null;
  }

  private rangeHeaders(): Record<string, string> {
    if (this.bytes === 0) return {};
    const validator = ifRangeValue(this.etag, this.lastModified);
    return validator === null ? { range: `bytes=${this.bytes}-` } : { range: `bytes=${this.bytes}-`, 'if-range': validator };
  }

  /** Interprets one response and streams its body when it is usable. */
  private async receive(answer: MediaAnswer, after416: boolean): Promise<Outcome> {
    const { res } = answer;
    const status = res.statusCode ?? 0;
    // A web page is never saved as a video: it is resolved instead (or refused).
    if (status >= 200 && status < 300 && isPageType(res.headers['content-type'])) {
      res.resume();
      return 'page';
    }
    if ((status === 403 || status === 410) && this.source.page) {
      res.resume();
      return { expired: status };
    }
    if (status === 416) {
      res.resume();
      const total = parseUnsatisfiedRange(res.headers['content-range']) ?? this.ctx.input.expectedSize ?? this.total;
      if (this.bytes > 0 && total === this.bytes) return 'done';
      if (after416) throw new PermanentError('HTTP_ERROR', `HTTP 416 from ${answer.url.href} even for the whole file; the server cannot serve it.`);
      await this.restartFromZero('the server refused the resume range (416)');
      return 'again-after-416';
    }
    if (status === 206) {
      const range = parseContentRange(res.headers['content-range']);
      const sentValidator = ifRangeValue(this.etag, this.lastModified) !== null;
      if (!range || range.start !== this.bytes || (!sentValidator && this.total !== null && range.total !== this.total)) {
        await this.restartFromZero(`the server sent an unexpected range (${res.headers['content-range'] ?? 'none'})`);
        return 'again';
      }
      this.total = range.total;
    } else if (status === 200) {
      if (this.bytes > 0) await this.restartFromZero('the server sent the whole file (it ignored Range or the file changed)');
      this.total = contentLength(res.headers['content-length']);
    } else {
      throw status >= 200 && status < 300 ? new PermanentError('HTTP_ERROR', `Unexpected HTTP ${status} from ${answer.url.href}.`) : statusError(status, answer.url);
    }
    this.etag = res.headers.etag ?? null;
    this.lastModified = res.headers['last-modified'] ?? null;
    this.file ??= deriveFilename(res.headers['content-disposition'], answer.url, this.source.url);
    const expected = this.ctx.input.expectedSize;
    if (expected !== undefined && this.total !== null && this.total !== expected) {
      await this.integrityFailure(`The server announced ${this.total} bytes but ${expected} were expected`);
    }
    await this.stream(answer);
    return 'done';
  }

  private async stream(answer: MediaAnswer): Promise<void> {
    const handle = await this.open();
    await handle.truncate(this.bytes); // a fresh start must not inherit a stale .part
    if (answer.raw) {
      this.pumping = Promise.resolve();
      const hash = this.hash;
      await answer.raw.pump((region) => (this.pumping = this.appendRegion(region)), (region) => hash.updateShared(region));
    } else {
      this.sink = new PartSink((chunks) => this.append(chunks));
      await pipeline(answer.incoming!, this.sink);
    }
    if (this.total !== null && this.bytes < this.total) {
      throw new RetryableError('NETWORK', `The connection closed after ${this.bytes} of ${this.total} bytes; will resume.`);
    }
  }

  /** Writes, then hashes and counts (so the hash matches the disk), then checkpoints when due. */
  private async append(chunks: Buffer[]): Promise<void> {
    await this.checkpoints.check();
    await enforceByteCap(this, chunks.reduce((n, c) => n + c.byteLength, 0));
    const handle = this.handle!;
    try {
      await (chunks.length === 1 ? handle.write(chunks[0]!, this.bytes) : handle.writev(chunks, this.bytes));
    } catch (e) {
      throw isDiskFull(e) ? diskFullError(this.partPath) : e;
    }
    for (const c of chunks) this.bytes += c.byteLength;
    await this.hash.update(chunks); // after the write (the hash covers the disk); detaches them
    this.ctx.progress({ current: this.bytes, total: this.total, ratio: this.total ? this.bytes / this.total : null });
    await this.checkpoints.maybe(this.bytes);
  }

  /** append() for a region of the raw reader's ring. The reader feeds the same bytes to the
   * hash itself, beside this write (see raw-get.ts), and reuses the region once both are done. */
  private async appendRegion(region: Buffer): Promise<void> {
    await this.checkpoints.check();
    await enforceByteCap(this, region.byteLength);
    try {
      await this.handle!.write(region, this.bytes);
    } catch (e) {
      throw isDiskFull(e) ? diskFullError(this.partPath) : e;
    }
    this.bytes += region.byteLength;
    this.ctx.progress({ current: this.bytes, total: this.total, ratio: this.total ? this.bytes / this.total : null });
    await this.checkpoints.maybe(this.bytes);
  }

  /** fsync first, checkpoint second. The sync covers every write that completed before it
   * started, so at least `bytes` (the state is captured before the await, for the same reason). */
  private async persist(bytes: number, completeSha256: string | null): Promise<void> {
    const state = this.checkpointAt(bytes, completeSha256);
    await this.syncPart();
    await this.ctx.saveCheckpoint(state);
  }

  /** The write-behind fsync (checkpointer.ts): makes written bytes durable, claims nothing. */
  private async syncPart(): Promise<void> {
    try {
      await this.handle?.datasync();
    } catch (e) {
      throw isDiskFull(e) ? diskFullError(this.partPath) : e;
    }
  }

  /** Saves a checkpoint of everything written so far, now. */
  saveCheckpoint(completeSha256: string | null = null): Promise<void> {
    return this.checkpoints.now(this.bytes, completeSha256);
  }

  async open(): Promise<PartHandle> {
    if (this.handle === null) {
      this.releasePart ??= lockPart(this.partPath);
      try {
        this.handle = await this.opts.openPart(this.partPath);
      } catch (e) {
        throw isDiskFull(e) ? diskFullError(this.partPath) : e;
      }
    }
    return this.handle;
  }

  async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
  }

  private async restartFromZero(why: string): Promise<void> {
    this.ctx.log(`Restarting from zero: ${why}.`);
    await this.checkpoints.quiet(); // a checkpoint in flight must land before the reset, not after
    this.bytes = 0;
    this.hash.dispose();
    this.hash = this.opts.hash();
    Object.assign(this, { etag: null, lastModified: null, total: null });
    await this.handle?.truncate(0);
    // Record the reset now, so a crash cannot pair the old byte count with new content.
    await this.saveCheckpoint();
  }

  /** Deletes the .part and throws INTEGRITY: retryable the first time, permanent the second. */
  async integrityFailure(message: string): Promise<never> {
    await this.checkpoints.quiet();
    await this.closeHandle();
    await removeIfPresent(this.partPath);
    this.integrityFailures += 1;
    this.bytes = 0;
    Object.assign(this, { etag: null, lastModified: null, total: null });
    await this.checkpoints.now(0); // the handle is closed: nothing to fsync
    if (this.integrityFailures >= 2) throw new PermanentError('INTEGRITY', `${message}, twice in a row; the server's copy does not match what was expected.`);
    throw new RetryableError('INTEGRITY', `${message}; deleted the partial file, will download again.`);
  }

  /** Turns whatever stopped the run into the error to throw, keeping or removing the .part. */
  private async fail(e: unknown): Promise<unknown> {
    await this.sink?.settled();
    await this.pumping?.catch(() => undefined);
    this.hash.dispose(); // no digest is coming: free the worker's state
    await this.checkpoints.quiet(); // a failed background checkpoint is retried by keepProgress
    const { signal } = this.ctx;
    if (signal.aborted) {
      const kind = signal.reason instanceof TaskAbort ? signal.reason.kind : 'shutdown';
      if (kind === 'cancel') {
        await this.closeHandle();
        // Ours to delete unless another download is writing it right now.
        if (this.file !== null && (this.releasePart ??= tryLockPart(this.partPath)) !== null) await removeIfPresent(this.partPath);
      } else {
        await this.keepProgress();
      }
      return signal.reason;
    }
    let err = e;
    if (isDiskFull(e)) err = diskFullError(this.partPath);
    else if (isNetworkError(e)) err = new RetryableError('NETWORK', `Network error: ${(e as Error).message}; will resume.`);
    if (!(err instanceof PermanentError && err.code === 'INTEGRITY') && !(err instanceof RetryableError && err.code === 'INTEGRITY')) await this.keepProgress();
    await this.closeHandle();
    return err;
  }

  /** Best effort: a failed final checkpoint only costs re-fetching since the previous one. */
  private async keepProgress(): Promise<void> {
    try {
      if (this.handle !== null && (this.sink !== null || this.pumping !== null) && this.bytes !== this.checkpoints.savedBytes) await this.saveCheckpoint();
    } catch (e) {
      this.ctx.log(`Could not save the final checkpoint: ${(e as Error).message}`);
    }
    await this.closeHandle();
  }
}
