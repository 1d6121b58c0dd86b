import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { httpGet } from '../http-get';
import { rawGet, type RawResponse } from './raw-get';

/**
 * The one GET a download round makes: plain http through the raw ring reader (raw-get.ts),
 * anything else, or anything it declines (a chunked body, a redirect), through node:http.
 */

/** One response, from either reader; `raw` or `incoming` carries the body. */
export interface MediaAnswer {
  res: { statusCode?: number | undefined; headers: IncomingHttpHeaders; resume(): unknown };
  /** The URL that answered, after redirects. */
  url: URL;
  close(): void;
  raw?: RawResponse;
  incoming?: IncomingMessage;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function getMedia(url: URL, opts: { headers: Record<string, string>; signal: AbortSignal; idleTimeoutMs: number; maxRedirects: number }): Promise<MediaAnswer> {
  if (url.protocol === 'http:') {
    const raw = await rawGet(url, opts.headers, opts.signal, opts.idleTimeoutMs);
    if (!('fallback' in raw) && !REDIRECTS.has(raw.statusCode)) {
      return { res: { statusCode: raw.statusCode, headers: raw.headers, resume: () => raw.close() }, url, close: () => raw.close(), raw };
    }
    if (!('fallback' in raw)) raw.close(); // httpGet follows the redirect (and vets it)
  }
  const answer = await httpGet(url, opts);
  return { res: answer.res, url: answer.url, close: answer.close, incoming: answer.res };
}
