import type { TaskDefinition } from '../engine/define';
import type { DownloadRoots } from './download/roots';
import { DEFAULT_STALL_RULE } from './download/stall-watch';
import { createPlaylistImport, playlistImport } from './playlist-import';
import { createVideoDownload, videoDownload } from './video-download';
import { YtDlp, type YtDlpOptions } from './ytdlp/ytdlp';

/** The task types the app registers with the engine (folders and yt-dlp from the environment). */
export const appTasks: TaskDefinition[] = [videoDownload, playlistImport];

/** Host-configurable download limits (byte-cap.ts, stall-watch.ts); unset ones keep their defaults. */
export interface DownloadLimits {
  maxBytes?: number;
  minBytesPerSecond?: number;
  stallWindowMs?: number;
}

/**
 * The app's task types, writing only under `roots` (the service entry passes its host's
 * folders) and sharing one yt-dlp, configured by the service config.
 */
export function createAppTasks(roots: DownloadRoots, limits: DownloadLimits = {}, ytdlpOptions: YtDlpOptions = {}): { tasks: TaskDefinition[]; ytdlp: YtDlp } {
  const stall = {
    minBytesPerSecond: limits.minBytesPerSecond ?? DEFAULT_STALL_RULE.minBytesPerSecond,
    windowMs: limits.stallWindowMs ?? DEFAULT_STALL_RULE.windowMs,
  };
  const ytdlp = new YtDlp(ytdlpOptions);
  const download = createVideoDownload({ roots, stall, ytdlp, ...(limits.maxBytes !== undefined ? { maxBytes: limits.maxBytes } : {}) });
  return { tasks: [download, createPlaylistImport({ roots, ytdlp })], ytdlp };
}

export { createVideoDownload, videoDownload, videoDownloadInput, type VideoDownloadInput } from './video-download';
export { createPlaylistImport, playlistImport, playlistImportInput, childRequests, itemFilename } from './playlist-import';
export { HttpJsonManifestSource } from './playlist/http-json-source';
export { YtDlp, DEFAULT_FORMAT, type YtDlpOptions, type ResolvedMedia } from './ytdlp/ytdlp';
export { MANIFEST_LIMITS, manifestSchema, parseManifest, type Manifest, type ManifestItem, type ManifestSource } from './playlist/manifest';
export type { DownloadCheckpoint } from './download/checkpoint';
export type { DownloadResult } from './download/finish';
export { DownloadRoots, rootsFromEnv } from './download/roots';
