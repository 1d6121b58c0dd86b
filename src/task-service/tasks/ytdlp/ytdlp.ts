import type { z } from 'zod';
import { PermanentError, RetryableError } from '../../engine/define';
import { locateYtDlp, lookedAt, type LocateOptions } from './locate';
import { runYtDlp } from './run';
import { flatListing, videoInfo, type FlatListing, type VideoInfo } from './schema';

/**
 * yt-dlp as a source: list a playlist (`--flat-playlist -J`) and resolve a page to one media
 * URL (`-f <selector> -J`). It never downloads: our own resumable transfer does that, with the
 * headers yt-dlp says the media URL needs. Failures are mapped to the closed error list by what
 * yt-dlp printed: a page without a video or an unavailable video is permanent; a network
 * failure or a crash of yt-dlp is worth another attempt.
 */

/** A single file, progressive mp4 first, never a DASH/HLS stream that would need merging. */
export const DEFAULT_FORMAT = 'best[ext=mp4][protocol^=http][protocol!*=dash]/best[protocol^=http][protocol!*=dash]';

export interface YtDlpOptions extends LocateOptions {
  /** yt-dlp's -f selector for video-download (default: DEFAULT_FORMAT). */
  format?: string;
  /** Deadline of one resolve / one playlist listing. */
  resolveTimeoutMs?: number;
  listTimeoutMs?: number;
  /** stdout cap (a YouTube video's JSON is about 1 MB, a 5,000-entry flat playlist a few). */
  maxOutputBytes?: number;
}

/** A page resolved to a direct media URL. */
export interface ResolvedMedia {
  url: string;
  /** Headers the media URL must be fetched with (User-Agent, Referer, cookies...). */
  headers: Record<string, string>;
  id: string;
  title: string;
  ext: string;
  filesize: number | null;
}

/** What service.health shows: the binary and its version, or why there is none. */
export interface YtDlpHealth {
  path: string | null;
  version: string | null;
  problem?: string;
}

type Log = (line: string) => void;

// Headers we set ourselves per request (ranges, identity encoding) or that belong to a hop.
const DROPPED_HEADERS = new Set(['accept-encoding', 'range', 'if-range', 'host', 'connection', 'content-length', 'transfer-encoding']);

export class YtDlp {
  private health: YtDlpHealth = { path: null, version: null, problem: 'not checked yet' };
  private probedAt = 0;
  private probing: Promise<YtDlpHealth> | null = null;

  constructor(readonly options: YtDlpOptions = {}) {}

  /** The binary, or a permanent YTDLP_MISSING that says how to install it. */
  async binary(): Promise<string> {
    const bin = await locateYtDlp(this.options);
    if (bin !== null) return bin;
    throw new PermanentError(
      'YTDLP_MISSING',
      `This address needs yt-dlp, which was not found (looked at ${lookedAt(this.options)}). Install it (Debian/Ubuntu: sudo apt-get install yt-dlp; elsewhere: python3 -m pip install -U yt-dlp), or set PLAYLISTIFY_YTDLP to its full path, then retry. Direct media links and JSON manifests work without it.`,
    );
  }

  /** Runs `yt-dlp --version` and remembers the answer for health(). */
  probe(signal: AbortSignal = new AbortController().signal): Promise<YtDlpHealth> {
    this.probedAt = Date.now();
    this.probing ??= this.runProbe(signal).finally(() => (this.probing = null));
    return this.probing;
  }

  private async runProbe(signal: AbortSignal): Promise<YtDlpHealth> {
    const bin = await locateYtDlp(this.options);
    if (bin === null) return (this.health = { path: null, version: null, problem: `not found (looked at ${lookedAt(this.options)})` });
    try {
      const r = await runYtDlp(bin, ['--version'], { signal, timeoutMs: 15_000, maxOutputBytes: 4096, env: this.options.env });
      const version = r.stdout.trim().split('\n')[0] ?? '';
      this.health = r.code === 0 && version !== '' ? { path: bin, version } : { path: bin, version: null, problem: `--version exited with ${r.code}: ${r.stderrTail.at(-1) ?? ''}` };
    } catch (e) {
      this.health = { path: bin, version: null, problem: (e as Error).message };
    }
    return this.health;
  }

  /**
   * The last probe's answer (synchronous, for service.health). A minute later the next call
   * probes again in the background, so installing or updating yt-dlp shows without a restart.
   */
  lastHealth(): YtDlpHealth {
    if (Date.now() - this.probedAt > 60_000) void this.probe();
    return this.health;
  }

  /** `--flat-playlist -J`: a playlist's entries without resolving each one. */
  async list(url: string, signal: AbortSignal, log: Log): Promise<FlatListing> {
    const args = ['--no-config', '--flat-playlist', '--socket-timeout', '30', '-J', '--', url];
    return this.json(url, args, flatListing, this.options.listTimeoutMs ?? 300_000, signal, log);
  }

  /** Resolves a page to one single-file format and the headers to fetch it with. */
  async resolve(url: string, signal: AbortSignal, log: Log): Promise<ResolvedMedia> {
    const args = ['--no-config', '--no-playlist', '--socket-timeout', '30', '-f', this.options.format ?? DEFAULT_FORMAT, '-J', '--', url];
    const info: VideoInfo = await this.json(url, args, videoInfo, this.options.resolveTimeoutMs ?? 120_000, signal, log);
    if (info._type === 'playlist') throw new PermanentError('NOT_A_VIDEO', `${url} is a playlist, not a single video; import it as a playlist instead.`);
    if (!info.url || !/^https?:\/\//i.test(info.url) || (info.requested_formats?.length ?? 0) > 0) {
      throw new PermanentError('NOT_A_VIDEO', `${url} offers no single-file http(s) format matching "${this.options.format ?? DEFAULT_FORMAT}"; nothing was downloaded. Try another format selector.`);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(info.http_headers ?? {})) if (!DROPPED_HEADERS.has(k.toLowerCase())) headers[k] = v;
    return { url: info.url, headers, id: info.id, title: info.title ?? info.id, ext: info.ext ?? 'mp4', filesize: info.filesize ?? null };
  }

  private async json<S extends z.ZodType>(url: string, args: string[], schema: S, timeoutMs: number, signal: AbortSignal, log: Log): Promise<z.infer<S>> {
    const bin = await this.binary();
    const r = await runYtDlp(bin, args, { signal, timeoutMs, maxOutputBytes: this.options.maxOutputBytes ?? 64 * 1024 * 1024, env: this.options.env, onStderrLine: (l) => log(`yt-dlp: ${l}`) });
    if (r.code !== 0) throw failureOf(url, r.code, r.stderrTail);
    let value: unknown;
    try {
      value = JSON.parse(r.stdout);
    } catch (e) {
      throw new RetryableError('YTDLP_FAILED', `yt-dlp printed something that is not JSON for ${url} (${(e as Error).message}).`);
    }
    if (value === null) throw new PermanentError('NOT_A_VIDEO', `yt-dlp found nothing at ${url}; nothing was downloaded.`);
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new RetryableError('YTDLP_FAILED', `yt-dlp's answer for ${url} has an unexpected shape (${where}); updating yt-dlp may help.`);
    }
    return parsed.data;
  }
}

/** Maps yt-dlp's last ERROR line to a typed failure. */
export function failureOf(url: string, code: number | null, tail: string[]): Error {
  const error = [...tail].reverse().find((l) => l.startsWith('ERROR:')) ?? tail.at(-1) ?? `exit code ${code}`;
  const said = error.replace(/^ERROR:\s*/, '').replace(/;\s*please report this issue.*$/i, '').slice(0, 500);
  if (/unsupported url/i.test(said)) return new PermanentError('NOT_A_VIDEO', `No video or playlist found at ${url}: yt-dlp does not recognise the address. Check it; nothing was downloaded.`);
  if (/private video|video unavailable|has been removed|deleted|members[- ]only|not available|account.*terminated|sign in to confirm your age/i.test(said)) {
    return new PermanentError('VIDEO_UNAVAILABLE', `The video at ${url} is unavailable (yt-dlp: ${said}).`);
  }
  const http = /HTTP Error (\d{3})/i.exec(said);
  if (http) {
    const status = Number(http[1]);
    if (status >= 500 || status === 408 || status === 429) return new RetryableError('NETWORK', `${url} answered HTTP ${status} to yt-dlp; will retry.`);
    return new PermanentError('HTTP_ERROR', `${url} answered HTTP ${status} to yt-dlp (${said}); check the address.`);
  }
  if (/timed out|connection|network|name resolution|temporary failure|urlopen error/i.test(said)) return new RetryableError('NETWORK', `yt-dlp could not reach ${url} (${said}); will retry.`);
  return new RetryableError('YTDLP_FAILED', `yt-dlp failed on ${url} (${said}); will retry. If it keeps failing, update yt-dlp.`);
}
