import { z } from 'zod';
import { PermanentError } from '../../engine/define';

/**
 * A playlist manifest and the interface that produces one: our JSON document over HTTP, or
 * any playlist yt-dlp can list (playlist/auto-source.ts picks). Unknown fields are dropped, not refused: real extractors
 * add metadata (duration, thumbnails) we do not use, while the fields we do use are strict.
 */

export const MANIFEST_LIMITS = {
  bytes: 5 * 1024 * 1024,
  items: 10_000,
  // 'video:' + id must fit a dedupeKey (200 chars).
  idChars: 190,
  titleChars: 500,
  urlChars: 8192,
} as const;

const httpUrl = z
  .string()
  .max(MANIFEST_LIMITS.urlChars)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const noControl = /^[^\u0000-\u001f\u007f]*$/;

export const manifestItem = z.object({
  id: z.string().min(1).max(MANIFEST_LIMITS.idChars).regex(noControl, 'must not contain control characters'),
  title: z.string().max(MANIFEST_LIMITS.titleChars),
  url: httpUrl,
});

export const manifestSchema = z.object({
  title: z.string().max(MANIFEST_LIMITS.titleChars),
  items: z.array(manifestItem).max(MANIFEST_LIMITS.items),
});

/** A validated playlist. */
export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestItem = z.infer<typeof manifestItem>;

/**
 * A playlist as a source lists it. `viaYtDlp`: the item URLs may be pages (no file extension)
 * that each child resolves and names itself ("<title> [<id>].<ext>").
 */
export interface SourcedManifest extends Manifest {
  viaYtDlp?: boolean;
}

/** Where manifests come from. Throw PermanentError for bad manifests, RetryableError for outages. */
export interface ManifestSource {
  fetch(url: string, signal: AbortSignal, log?: (line: string) => void): Promise<SourcedManifest>;
}

/** Validates a parsed JSON value; BAD_INPUT names the first problems and where they are. */
export function parseManifest(value: unknown, origin: string): Manifest {
  const items = (value as { items?: unknown } | null)?.items;
  // Checked before zod so a huge list is refused without validating every element.
  if (Array.isArray(items) && items.length > MANIFEST_LIMITS.items) {
    throw new PermanentError('BAD_INPUT', `The playlist at ${origin} has ${items.length} items; at most ${MANIFEST_LIMITS.items} can be imported at once.`);
  }
  const parsed = manifestSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  throw new PermanentError('BAD_INPUT', `The playlist at ${origin} is not a valid manifest ({title, items: [{id, title, url}]}): ${problems}.`);
}
