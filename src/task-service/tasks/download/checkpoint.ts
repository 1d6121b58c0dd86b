import { z } from 'zod';

/**
 * What a download remembers between runs, and the HTTP range headers it speaks. The checkpoint
 * comes back from SQLite, possibly written by an older build, so it is parsed, never trusted.
 */

export const downloadCheckpoint = z.object({
  /** The input URL the bytes came from; a different URL means a different file. */
  url: z.string(),
  /** The final file name inside dir (derived names must survive restarts). */
  file: z.string(),
  /** Bytes of the .part that were fsynced before this checkpoint was saved. */
  bytes: z.number().int().min(0),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  /** The full size the server announced, when it did. */
  total: z.number().int().min(0).nullable(),
  /** Integrity failures so far: the second one is permanent. */
  integrityFailures: z.number().int().min(0).default(0),
  /** Set just before the rename: the .part is complete and fsynced with this digest. */
  completeSha256: z.string().nullable().default(null),
  /**
   * When `url` is a page: the media URL it resolved to and its headers. The checkpoint stays
   * keyed on the page (`url`); a resume tries this first and resolves again if it expired.
   */
  media: z.object({ url: z.string(), headers: z.record(z.string(), z.string()) }).nullish(),
});

/** A download's durable progress. */
export type DownloadCheckpoint = z.infer<typeof downloadCheckpoint>;

export function parseCheckpoint(value: unknown): DownloadCheckpoint | null {
  const parsed = downloadCheckpoint.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A strong validator for If-Range: weak ETags are not allowed there (RFC 9110 13.1.5). */
export function ifRangeValue(etag: string | null, lastModified: string | null): string | null {
  if (etag !== null && !etag.startsWith('W/')) return etag;
  return lastModified;
}

/** `Content-Range: bytes a-b/total` (total may be `*`). */
export function parseContentRange(header: string | undefined): { start: number; end: number; total: number | null } | null {
  const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(header?.trim() ?? '');
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}

/** `Content-Range: bytes * /total` as sent with a 416. */
export function parseUnsatisfiedRange(header: string | undefined): number | null {
  const m = /^bytes\s+\*\/(\d+)$/i.exec(header?.trim() ?? '');
  return m ? Number(m[1]) : null;
}

export function contentLength(header: string | undefined): number | null {
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : null;
}
