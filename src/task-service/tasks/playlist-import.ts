import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { SpawnRequest } from '../../shared/schemas';
import { defineTask } from '../engine/define';
import { confineDir, rootsFromEnv, type DownloadRoots } from './download/roots';
import { sanitizeFilename } from './download/safe-path';
import { AutoPlaylistSource } from './playlist/auto-source';
import type { ManifestItem, ManifestSource } from './playlist/manifest';
import type { VideoDownloadInput } from './video-download';
import { YtDlp } from './ytdlp/ytdlp';

/**
 * `playlist-import`: list a playlist (our JSON manifest, or anything yt-dlp lists), spawn one video-download per item, and let the engine
 * make this task wait for them (its progress aggregates theirs). The handler is a pure function
 * of the manifest: a re-run after a crash produces the same spawn keys and requests, and the
 * engine's spawn-key idempotency turns them into the same children. Items with a repeated id
 * are deduplicated (the first one wins): playlists legitimately list a video twice, and one file
 * per video is what the user wants.
 */

export const playlistImportInput = z.strictObject({
  url: z.string().max(8192).refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v), 'url must be an http:// or https:// address'),
  // Absolute, or relative to the default downloads folder; confined by createPlaylistImport.
  dir: z.string().min(1).max(4096).refine((d) => !d.includes('\0'), 'dir must not contain a NUL byte'),
});

export interface PlaylistImportOptions {
  /** Default: JSON manifests, else yt-dlp (with `ytdlp`, or one found through the environment). */
  source?: ManifestSource;
  ytdlp?: YtDlp;
  /** Children per spawn call: bounds one transaction in the engine. */
  spawnChunk?: number;
  /** The folders imports may write into (default: rootsFromEnv()); the children get the same. */
  roots?: DownloadRoots;
}

/** A file name unique per item: "<title> [<id>].<ext>", the id hashed when it is not filename-safe. */
export function itemFilename(item: ManifestItem): string {
  const id = /^[A-Za-z0-9_-]{1,64}$/.test(item.id) ? item.id : createHash('sha256').update(item.id).digest('hex').slice(0, 16);
  const ext = path.extname(new URL(item.url).pathname);
  const safeExt = /^\.[A-Za-z0-9]{1,5}$/.test(ext) ? ext.toLowerCase() : '';
  const suffix = ` [${id}]${safeExt}`;
  const title = sanitizeFilename(item.title, 'video', 200 - Buffer.byteLength(suffix));
  return `${title}${suffix}`;
}

/** True when the URL's path ends in a short file extension (a direct file, not a page). */
function hasExtension(url: string): boolean {
  return /\.[A-Za-z0-9]{1,5}$/.test(new URL(url).pathname);
}

/**
 * The spawn requests for a manifest, in manifest order, duplicates removed. With `pagesNameThemselves`
 * (a yt-dlp listing), an item whose URL has no file extension is a page: its child names the
 * file from what the page resolves to, so no filename is imposed here.
 */
export function childRequests(items: ManifestItem[], dir: string, pagesNameThemselves = false): { requests: SpawnRequest[]; duplicates: number } {
  const seen = new Set<string>();
  const requests: SpawnRequest[] = [];
  for (const item of items) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    const input: VideoDownloadInput = pagesNameThemselves && !hasExtension(item.url) ? { url: item.url, dir } : { url: item.url, dir, filename: itemFilename(item) };
    requests.push({ key: item.id, type: 'video-download', title: item.title || item.id, input, dedupeKey: `video:${item.id}` });
  }
  return { requests, duplicates: items.length - requests.length };
}

export function createPlaylistImport(options: PlaylistImportOptions = {}) {
  const source = options.source ?? new AutoPlaylistSource(options.ytdlp ?? new YtDlp());
  const chunk = options.spawnChunk ?? 500;
  const roots = options.roots ?? rootsFromEnv();
  return defineTask({
    type: 'playlist-import',
    input: playlistImportInput.superRefine(confineDir(roots)),
    concurrency: 1,
    maxAttempts: 5,
    requiresNetwork: true,
    // An entry that is private, deleted or no video fails alone (its child shows why); the
    // import completes with the rest. Anything else (disk, integrity, yt-dlp missing) fails it.
    toleratedChildErrors: ['VIDEO_UNAVAILABLE', 'NOT_A_VIDEO', 'HTTP_ERROR'],
    backoff: { baseMs: 2000, maxMs: 60_000 },
    async run(ctx) {
      const manifest = await source.fetch(ctx.input.url, ctx.signal, (line) => ctx.log(line));
      if (manifest.title.trim() !== '') await ctx.setTitle(manifest.title);
      const folder = sanitizeFilename(manifest.title, '');
      const base = roots.confine(ctx.input.dir).dir;
      const target = folder === '' ? base : path.join(base, folder);
      const { requests, duplicates } = childRequests(manifest.items, target, manifest.viaYtDlp === true);
      if (duplicates > 0) ctx.log(`Skipped ${duplicates} repeated item id(s) in the playlist.`);
      for (let i = 0; i < requests.length; i += chunk) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        await ctx.spawn(requests.slice(i, i + chunk));
        ctx.progress({ message: `Queued ${Math.min(i + chunk, requests.length)} of ${requests.length} videos` });
      }
      return { title: manifest.title, dir: target, count: requests.length, duplicates };
    },
  });
}

export const playlistImport = createPlaylistImport();
