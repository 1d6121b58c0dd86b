import { PermanentError } from '../../engine/define';
import { removeIfPresent } from './part-file';
import type { Transfer } from './transfer';

/**
 * How many bytes a download may write. A chunked response with no size used to stream until
 * the disk was full; now every download has a ceiling:
 *
 * - a known size (the caller's expectedSize, else the server's Content-Length or Content-Range
 *   total) plus a small margin. Going past it means the bytes are not the file we were told
 *   about: an INTEGRITY failure (the .part is deleted; retried once, then permanent);
 * - with no size at all, `maxBytes` (configurable; default 64 GiB). Going past it is a
 *   permanent TOO_LARGE, and the .part is deleted so the disk gets its space back.
 */

/** The default ceiling for downloads of unknown size. */
export const DEFAULT_MAX_BYTES = 64 * 1024 ** 3;

/** Slack over a known size: 1%, at least 64 KiB (room for a server that miscounts a little). */
export function byteMargin(size: number): number {
  return Math.max(64 * 1024, Math.ceil(size / 100));
}

/** The most bytes a download with this known size (or none) may write. */
export function byteCap(knownSize: number | null, maxBytes: number): number {
  return knownSize === null ? maxBytes : knownSize + byteMargin(knownSize);
}

/** Call before writing `incoming` more bytes: throws (and cleans up) when they would pass the cap. */
export async function enforceByteCap(t: Transfer, incoming: number): Promise<void> {
  const known = t.ctx.input.expectedSize ?? t.total;
  const max = t.opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const cap = byteCap(known, max);
  const after = t.bytes + incoming;
  if (after <= cap) return;
  if (known !== null) {
    await t.integrityFailure(`The server sent more than ${known} bytes (stopped at ${after}), the size it announced or that was expected`);
  }
  await t.closeHandle();
  await removeIfPresent(t.partPath);
  t.bytes = 0;
  try {
    await t.saveCheckpoint(); // the next run starts from zero instead of trusting a deleted file
  } catch (e) {
    t.ctx.log(`Could not record the reset after the size limit: ${(e as Error).message}`);
  }
  throw new PermanentError(
    'TOO_LARGE',
    `The download from ${t.source.url.host} passed ${max} bytes without announcing its size, the limit for such downloads; the partial file was deleted. Raise the limit or ask for a link with a known size.`,
  );
}
