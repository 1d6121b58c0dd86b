import { createHash } from 'node:crypto';
import type { FlatEntry, FlatListing } from '../ytdlp/schema';
import type { YtDlp } from '../ytdlp/ytdlp';
import { MANIFEST_LIMITS, manifestItem, type ManifestItem, type ManifestSource, type SourcedManifest } from './manifest';

/**
 * A playlist listed by `yt-dlp --flat-playlist -J`. Entries become manifest items whose id is
 * the spawn key, so it must be stable across re-imports: yt-dlp's id when it has one, else the
 * feed's guid (which yt-dlp smuggles into the URL fragment for RSS enclosures), else a hash of
 * the URL without its fragment.
 */

const SMUGGLE = '#__youtubedl_smuggle=';

/** The URL without yt-dlp's smuggled data, and that data's forced id if any. */
export function unsmuggle(url: string): { url: string; forcedId: string | null } {
  const at = url.indexOf(SMUGGLE);
  if (at < 0) return { url, forcedId: null };
  let forcedId: string | null = null;
  try {
    const data = JSON.parse(decodeURIComponent(url.slice(at + SMUGGLE.length).replace(/\+/g, ' '))) as { force_videoid?: unknown };
    if (typeof data.force_videoid === 'string' && data.force_videoid !== '') forcedId = data.force_videoid;
  } catch {
    // Not ours to understand: the URL without it is still the entry.
  }
  return { url: url.slice(0, at), forcedId };
}

function normalizedUrl(url: string): string {
  const u = new URL(url);
  u.hash = '';
  return u.href;
}

const usableId = (id: string | null | undefined): id is string => typeof id === 'string' && id !== '' && id.length <= MANIFEST_LIMITS.idChars && !/[\u0000-\u001f\u007f]/.test(id);

/** One entry as a manifest item, or null when it has no http(s) URL to download. */
export function entryItem(entry: FlatEntry): ManifestItem | null {
  const raw = entry.url ?? entry.webpage_url;
  if (!raw) return null;
  const { url, forcedId } = unsmuggle(raw);
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) return null;
  const id = usableId(entry.id) ? entry.id : usableId(forcedId) ? forcedId : `url-${createHash('sha256').update(normalizedUrl(url)).digest('hex').slice(0, 24)}`;
  const item = manifestItem.safeParse({ id, title: (entry.title ?? '').slice(0, MANIFEST_LIMITS.titleChars), url });
  return item.success ? item.data : null;
}

/** A listing as a manifest; a single video (no entries) is a playlist of one. */
export function listingManifest(listing: FlatListing, url: string, log: (line: string) => void): SourcedManifest {
  const title = (listing.title ?? '').slice(0, MANIFEST_LIMITS.titleChars);
  if (listing.entries === undefined || listing.entries === null) {
    const single = entryItem({ id: listing.id, title: listing.title, url: listing.webpage_url ?? url });
    return { title: '', items: single ? [single] : [], viaYtDlp: true };
  }
  const items: ManifestItem[] = [];
  let unusable = 0;
  for (const entry of listing.entries.slice(0, MANIFEST_LIMITS.items)) {
    const item = entry === null ? null : entryItem(entry);
    if (item) items.push(item);
    else unusable += 1;
  }
  if (unusable > 0) log(`${unusable} playlist entr${unusable === 1 ? 'y has' : 'ies have'} no address to download (unavailable); skipped.`);
  if (listing.entries.length > MANIFEST_LIMITS.items) log(`The playlist has ${listing.entries.length} entries; imported the first ${MANIFEST_LIMITS.items}.`);
  return { title, items, viaYtDlp: true };
}

export class YtDlpPlaylistSource implements ManifestSource {
  constructor(private readonly ytdlp: YtDlp) {}

  async fetch(url: string, signal: AbortSignal, log: (line: string) => void = () => undefined): Promise<SourcedManifest> {
    return listingManifest(await this.ytdlp.list(url, signal, log), url, log);
  }
}
