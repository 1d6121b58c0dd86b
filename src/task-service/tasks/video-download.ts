import { z } from 'zod';
import { defineTask } from '../engine/define';
import type { DownloadCheckpoint } from './download/checkpoint';
import { openPartFile } from './download/part-file';
import { confineDir, rootsFromEnv } from './download/roots';
import { filenameProblem } from './download/safe-path';
import { workerHash } from './download/stream-hash';
import { Transfer, type DownloadOptions } from './download/transfer';
import { YtDlp } from './ytdlp/ytdlp';

/**
 * `video-download`: one resumable HTTP download into a folder. The URL is a media file, or a
 * page (YouTube, any site yt-dlp supports) resolved to one. See download/transfer.ts for the
 * resume and crash-safety rules. Options are for tests and benchmarks; the app uses the
 * defaults, with the yt-dlp the service was configured with.
 */

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export const videoDownloadInput = z.strictObject({
  url: z.string().max(8192).refine(isHttpUrl, 'url must be an http:// or https:// address'),
  // Absolute, or relative to the default downloads folder; confined by createVideoDownload.
  dir: z.string().min(1).max(4096).refine((d) => !d.includes('\0'), 'dir must not contain a NUL byte'),
  filename: z
    .string()
    .max(255)
    .superRefine((name, ctx) => {
      const problem = filenameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: `filename ${problem}` });
    })
    .optional(),
  expectedSize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'sha256 must be 64 hex digits').optional(),
});

/** Input of a video-download task. */
export type VideoDownloadInput = z.infer<typeof videoDownloadInput>;

export const DEFAULT_DOWNLOAD_OPTIONS: DownloadOptions = {
  checkpointBytes: 1024 * 1024,
  // A fast transfer's interval is 250 ms of bytes; checkpoints start every half interval, so
  // at most ~8 a second, and a crash re-fetches at most about a quarter second of transfer.
  checkpointMinMs: 250,
  checkpointMs: 1000,
  idleTimeoutMs: 30_000,
  maxRedirects: 5,
  openPart: openPartFile,
  hash: workerHash,
  now: Date.now,
  resolve: null,
  maxReResolves: 20,
};

/** The resolver of pages: yt-dlp, found through the service config, PLAYLISTIFY_YTDLP or PATH. */
export function ytdlpResolver(ytdlp: YtDlp): DownloadOptions['resolve'] {
  return (url, signal, log) => ytdlp.resolve(url, signal, log);
}

/** Builds the video-download definition; tests inject short timeouts, a failing disk or a yt-dlp. */
export function createVideoDownload(options: Partial<DownloadOptions> & { ytdlp?: YtDlp } = {}) {
  const { ytdlp, ...rest } = options;
  const roots = rest.roots ?? rootsFromEnv();
  const opts: DownloadOptions = { ...DEFAULT_DOWNLOAD_OPTIONS, resolve: ytdlpResolver(ytdlp ?? new YtDlp()), ...rest, roots };
  return defineTask<typeof videoDownloadInput, DownloadCheckpoint>({
    type: 'video-download',
    input: videoDownloadInput.superRefine(confineDir(roots)),
    concurrency: 3,
    maxAttempts: 8,
    requiresNetwork: true,
    backoff: { baseMs: 1000, maxMs: 60_000 },
    run: (ctx) => new Transfer(ctx, opts).run(),
  });
}

export const videoDownload = createVideoDownload();
