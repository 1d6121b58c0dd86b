import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { PermanentError, RetryableError } from '../engine/define';

/**
 * One GET over node:http(s) with what downloads need and fetch() hides: raw status codes
 * (206/416), our own Range headers, redirects we vet ourselves, an idle timeout that covers
 * both the wait for headers and stalls mid-body, and abort through the task's signal.
 */

export interface HttpGetOptions {
  headers?: Record<string, string>;
  signal: AbortSignal;
  /** No bytes (headers or body) for this long -> RetryableError NETWORK. */
  idleTimeoutMs: number;
  maxRedirects?: number;
  /** HEAD asks for the headers alone (the "already downloaded?" check). Default GET. */
  method?: 'GET' | 'HEAD';
}

export interface HttpResponse {
  res: IncomingMessage;
  /** The URL that answered, after redirects. */
  url: URL;
  /** Detaches the abort listener and destroys the socket if the body was not consumed. */
  close(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Network-level failure codes worth another attempt. */
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EPROTO', 'ERR_STREAM_PREMATURE_CLOSE',
  'HPE_INVALID_CONSTANT', 'UND_ERR_SOCKET',
]);

/** True for errors thrown by sockets and HTTP parsing (as opposed to disk or logic errors). */
export function isNetworkError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  return (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('HPE_'))) || e.message === 'aborted';
}

/** The abort reason when the signal fired, so callers rethrow the TaskAbort, not a socket error. */
function abortedOr(signal: AbortSignal, e: unknown): unknown {
  if (signal.aborted) return signal.reason;
  if (e instanceof PermanentError || e instanceof RetryableError) return e;
  const code = (e as { code?: unknown }).code;
  return new RetryableError('NETWORK', `Network error: ${(e as Error).message}${typeof code === 'string' ? ` (${code})` : ''}`);
}

function requestOnce(url: URL, opts: HttpGetOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) return reject(opts.signal.reason);
    const lib = url.protocol === 'https:' ? https : http;
    let response: IncomingMessage | null = null;
    const req = lib.request(url, { method: opts.method ?? 'GET', headers: { 'accept-encoding': 'identity', ...opts.headers } });
    const onAbort = (): void => {
      response?.destroy(opts.signal.reason);
      req.destroy(opts.signal.reason);
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const close = (): void => {
      opts.signal.removeEventListener('abort', onAbort);
      // A fully read response leaves the socket to the keep-alive pool; anything else is torn down.
      if (!response?.complete) {
        response?.destroy();
        req.destroy();
      }
    };
    // A socket-level idle timer: it fires while waiting for headers and on stalls mid-body.
    req.setTimeout(opts.idleTimeoutMs, () => {
      const err = new RetryableError('NETWORK', `No data from ${url.host} for ${opts.idleTimeoutMs} ms; the server stalled.`);
      response?.destroy(err);
      req.destroy(err);
    });
    req.once('error', (e) => {
      opts.signal.removeEventListener('abort', onAbort);
      reject(abortedOr(opts.signal, e));
    });
    req.once('response', (res) => {
      response = res;
      resolve({ res, url, close });
    });
    req.end();
  });
}

/** GET (or HEAD) `url`, following up to maxRedirects http(s) redirects; https never downgrades to http. */
export async function httpGet(url: URL, opts: HttpGetOptions): Promise<HttpResponse> {
  const maxRedirects = opts.maxRedirects ?? 5;
  let current = url;
  for (let hop = 0; ; hop++) {
    const answer = await requestOnce(current, opts);
    const status = answer.res.statusCode ?? 0;
    const location = answer.res.headers.location;
    if (!REDIRECTS.has(status) || location === undefined) return answer;
    answer.res.resume();
    answer.close();
    if (hop >= maxRedirects) throw new PermanentError('HTTP_ERROR', `More than ${maxRedirects} redirects starting at ${url.href}.`);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new PermanentError('HTTP_ERROR', `Redirect to an invalid location ${JSON.stringify(location)}.`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new PermanentError('HTTP_ERROR', `Refused a redirect to ${next.protocol} (only http and https are followed).`);
    }
    if (current.protocol === 'https:' && next.protocol === 'http:') {
      throw new PermanentError('HTTP_ERROR', `Refused a redirect from https to plain http (${next.href}).`);
    }
    current = next;
  }
}

/** Maps a non-success status to the right error: 5xx/408/429 retry, other 4xx do not. */
export function statusError(status: number, url: URL): Error {
  const message = `HTTP ${status} from ${url.href}`;
  if (status >= 500 || status === 408 || status === 429) return new RetryableError('HTTP_ERROR', `${message}; will retry.`);
  return new PermanentError('HTTP_ERROR', `${message}; check the address.`);
}

export { abortedOr };
