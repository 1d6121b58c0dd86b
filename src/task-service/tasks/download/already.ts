import { promises as fs } from 'node:fs';
import path from 'node:path';
import { httpGet } from '../http-get';
import { contentLength } from './checkpoint';
import { hashFile, type DownloadResult } from './finish';
import { isPageType } from './media-source';
import { deriveFilename, filenameProblem } from './safe-path';
import type { Transfer } from './transfer';

/**
 * "Already downloaded": the target file exists and matches what is known of the media (its
 * size from the input, the resolver or a HEAD request; its sha256 when the input gives one), so
 * the task completes without fetching a byte of it. Only asked when the file is there, so a
 * normal download costs no extra request. Any doubt (no size known, HEAD refused) means "no":
 * the download then runs, and finish.ts accepts an existing file with the same bytes.
 */

/**
 * A result that says no bytes were fetched. `sha256` is null unless the input gave one to check:
 * re-importing a large playlist must not read every finished video back just to report it.
 */
export type AlreadyResult = Omit<DownloadResult, 'sha256'> & { sha256: string | null; alreadyDownloaded: true };

async function fileSize(file: string): Promise<number | null> {
  try {
    const st = await fs.lstat(file);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

/** Size and server-proposed name from a HEAD of the media URL, or null when it will not say. */
async function head(t: Transfer): Promise<{ size: number | null; name: string } | null> {
  const { source } = t;
  try {
    const answer = await httpGet(source.url, { method: 'HEAD', headers: source.headers, signal: t.ctx.signal, idleTimeoutMs: t.opts.idleTimeoutMs, maxRedirects: t.opts.maxRedirects });
    try {
      const { res } = answer;
      res.resume();
      if (res.statusCode !== 200 || isPageType(res.headers['content-type'])) return null;
      return { size: contentLength(res.headers['content-length']), name: deriveFilename(res.headers['content-disposition'], answer.url, source.url) };
    } finally {
      answer.close();
    }
  } catch (e) {
    if (t.ctx.signal.aborted) throw t.ctx.signal.reason;
    return null; // the GET that follows reports real failures
  }
}

/** The finished file's result when the target already holds this media, else null. */
export async function alreadyDownloaded(t: Transfer): Promise<AlreadyResult | null> {
  const { input } = t.ctx;
  const guess = t.file ?? (t.source.page ? null : deriveFilename(undefined, t.source.url, t.source.url));
  if (guess === null || filenameProblem(guess) !== null) return null;
  let size = await fileSize(path.join(t.dir, guess));
  if (size === null) return null;
  let name = guess;
  let expected = input.expectedSize ?? t.source.resolved?.filesize ?? null;
  if (expected === null || t.file === null) {
    const answer = await head(t);
    if (answer === null) return null;
    if (t.file === null && answer.name !== guess) {
      // The server names the file differently (Content-Disposition): that one must exist.
      name = answer.name;
      size = await fileSize(path.join(t.dir, name));
      if (size === null) return null;
    }
    expected ??= answer.size;
  }
  if (expected === null || size !== expected) return null;
  const file = path.join(t.dir, name);
  const sha256 = input.sha256 === undefined ? null : await hashFile(file);
  if (sha256 !== null && sha256 !== input.sha256!.toLowerCase()) return null;
  t.ctx.log(`${file} already holds this video (${size} bytes); nothing to download.`);
  t.ctx.progress({ current: size, total: size, ratio: 1 });
  return { path: file, bytes: size, sha256, alreadyDownloaded: true };
}
