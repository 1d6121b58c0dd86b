import { PermanentError } from '../../engine/define';
import { abortedOr, httpGet, statusError, type HttpResponse } from '../http-get';
import { MANIFEST_LIMITS, parseManifest, type Manifest, type ManifestSource } from './manifest';

/**
 * The default ManifestSource: GET a JSON document. The size limit is enforced on the wire
 * (Content-Length up front, then a running count) so a hostile server cannot make us buffer
 * more than the limit.
 */

export interface HttpJsonSourceOptions {
  maxBytes?: number;
  idleTimeoutMs?: number;
}

export class HttpJsonManifestSource implements ManifestSource {
  private readonly maxBytes: number;
  private readonly idleTimeoutMs: number;

  constructor(options: HttpJsonSourceOptions = {}) {
    this.maxBytes = options.maxBytes ?? MANIFEST_LIMITS.bytes;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  }

  async fetch(url: string, signal: AbortSignal): Promise<Manifest> {
    const answer = await httpGet(new URL(url), { signal, idleTimeoutMs: this.idleTimeoutMs, headers: { accept: 'application/json' } });
    try {
      if (answer.res.statusCode !== 200) throw statusError(answer.res.statusCode ?? 0, answer.url);
      return await this.read(answer, url, signal);
    } finally {
      answer.close();
    }
  }

  /** Reads and validates a 200 response's body as a manifest (the caller closes `answer`). */
  async read(answer: HttpResponse, url: string, signal: AbortSignal): Promise<Manifest> {
    const { res } = answer;
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (declared > this.maxBytes) throw this.tooLarge(url, `${declared} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res) {
        size += (chunk as Buffer).length;
        if (size > this.maxBytes) throw this.tooLarge(url, `more than ${this.maxBytes} bytes`);
        chunks.push(chunk as Buffer);
      }
    } catch (e) {
      throw abortedOr(signal, e);
    }
    let value: unknown;
    try {
      value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      throw new PermanentError('BAD_INPUT', `The playlist at ${url} is not valid JSON (${(e as Error).message}).`);
    }
    return parseManifest(value, url);
  }

  private tooLarge(url: string, what: string): PermanentError {
    return new PermanentError('BAD_INPUT', `The playlist at ${url} is ${what}; manifests are limited to ${this.maxBytes} bytes.`);
  }
}
