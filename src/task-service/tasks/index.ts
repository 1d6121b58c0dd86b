import type { TaskDefinition } from '../engine/define';
import { createPlaylistImport, playlistImport } from './playlist-import';
import { createVideoDownload, videoDownload } from './video-download';
import { YtDlp, type YtDlpOptions } from './ytdlp/ytdlp';

/** The task types the app registers with the engine (yt-dlp found through the environment). */
export const appTasks: TaskDefinition[] = [videoDownload, playlistImport];

/** The app's task types sharing one yt-dlp, configured by the service config. */
export function createAppTasks(ytdlpOptions: YtDlpOptions = {}): { tasks: TaskDefinition[]; ytdlp: YtDlp } {
  const ytdlp = new YtDlp(ytdlpOptions);
  return { tasks: [createVideoDownload({ ytdlp }), createPlaylistImport({ ytdlp })], ytdlp };
}

export { createVideoDownload, videoDownload, videoDownloadInput, type VideoDownloadInput } from './video-download';
export { createPlaylistImport, playlistImport, playlistImportInput, childRequests, itemFilename } from './playlist-import';
export { HttpJsonManifestSource } from './playlist/http-json-source';
export { YtDlp, DEFAULT_FORMAT, type YtDlpOptions, type ResolvedMedia } from './ytdlp/ytdlp';
export { MANIFEST_LIMITS, manifestSchema, parseManifest, type Manifest, type ManifestItem, type ManifestSource } from './playlist/manifest';
export type { DownloadCheckpoint } from './download/checkpoint';
export type { DownloadResult } from './download/finish';
