import { PermanentError, RetryableError } from '../../engine/define';
import type { ResolvedMedia } from '../ytdlp/ytdlp';
import { sanitizeFilename } from './safe-path';

/**
 * Where a download's bytes come from. The input URL is either the media itself, or a page
 * (it answers text/html) that a resolver (yt-dlp) turns into a media URL plus the headers to
 * fetch it with. Resolved URLs are often signed and expire; a 403/410 from one means "resolve
 * the page again", which happens inside the run (it costs no engine attempt) but at most
 * `maxReResolves` times per run, so a page that never yields a working URL still ends.
 */

/** Resolves a page URL to one media URL; throws typed errors (NOT_A_VIDEO, YTDLP_MISSING...). */
export type Resolver = (pageUrl: string, signal: AbortSignal, log: (line: string) => void) => Promise<ResolvedMedia>;

/** The resolved media as a checkpoint remembers it, so a resume can try it before resolving. */
export interface MediaRef {
  url: string;
  headers: Record<string, string>;
}

/** Media types that are pages, never videos: such a response is not saved. */
export function isPageType(contentType: string | undefined): boolean {
  return /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType ?? '');
}

/** "<title> [<id>].<ext>", sanitized, within the name length limit. */
export function mediaFilename(media: Pick<ResolvedMedia, 'title' | 'id' | 'ext'>): string {
  const ext = /^[A-Za-z0-9]{1,5}$/.test(media.ext) ? `.${media.ext.toLowerCase()}` : '';
  const id = sanitizeFilename(media.id, 'video', 64);
  const suffix = ` [${id}]${ext}`;
  return `${sanitizeFilename(media.title, 'video', 200 - Buffer.byteLength(suffix))}${suffix}`;
}

export class MediaSource {
  /** What the next request fetches. */
  url: URL;
  headers: Record<string, string> = {};
  /** True once the input URL turned out to be a page. */
  page = false;
  /** The last resolution (null before one, and after a restore from a checkpoint). */
  resolved: ResolvedMedia | null = null;
  private reResolves = 0;

  constructor(
    readonly pageUrl: string,
    private readonly resolver: Resolver | null,
    private readonly maxReResolves: number,
  ) {
    this.url = new URL(pageUrl);
  }

  /** A previous run's resolved URL: tried first, re-resolved only if it stopped working. */
  restore(media: MediaRef): void {
    this.page = true;
    this.url = new URL(media.url);
    this.headers = { ...media.headers };
  }

  ref(): MediaRef | null {
    return this.page ? { url: this.url.href, headers: this.headers } : null;
  }

  /** The input URL answered with a web page: resolve it to its video. */
  async resolvePage(signal: AbortSignal, log: (line: string) => void): Promise<ResolvedMedia> {
    if (this.page) throw new PermanentError('NOT_A_VIDEO', `${this.url.href} (resolved from ${this.pageUrl}) answered with a web page, not a video; nothing was saved.`);
    if (this.resolver === null) throw new PermanentError('NOT_A_VIDEO', `${this.pageUrl} is a web page, not a video; nothing was saved.`);
    log(`${this.pageUrl} is a web page; asking yt-dlp for its video.`);
    return this.apply(await this.resolver(this.pageUrl, signal, log));
  }

  /** The media URL expired (403/410): resolve the page again, within the per-run bound. */
  async reResolve(status: number, signal: AbortSignal, log: (line: string) => void): Promise<ResolvedMedia> {
    if (this.reResolves >= this.maxReResolves) {
      throw new RetryableError('HTTP_ERROR', `The video URL for ${this.pageUrl} kept answering HTTP ${status} after ${this.maxReResolves} fresh resolves in this run; will retry later.`);
    }
    this.reResolves += 1;
    log(`The video URL answered HTTP ${status} (expired); resolving ${this.pageUrl} again (${this.reResolves} of at most ${this.maxReResolves} this run).`);
    if (this.resolver === null) throw new PermanentError('HTTP_ERROR', `HTTP ${status} from ${this.url.href}; check the address.`);
    return this.apply(await this.resolver(this.pageUrl, signal, log));
  }

  private apply(media: ResolvedMedia): ResolvedMedia {
    this.page = true;
    this.resolved = media;
    this.url = new URL(media.url);
    this.headers = { ...media.headers };
    return media;
  }
}
