import type { TaskDefinition } from '../engine/define';
import { playlistImport } from './playlist-import';
import { videoDownload } from './video-download';

/** The task types the app registers with the engine. */
export const appTasks: TaskDefinition[] = [videoDownload, playlistImport];

export { createVideoDownload, videoDownload, videoDownloadInput, type VideoDownloadInput } from './video-download';
export { createPlaylistImport, playlistImport, playlistImportInput, childRequests, itemFilename } from './playlist-import';
export { HttpJsonManifestSource } from './playlist/http-json-source';
export { MANIFEST_LIMITS, manifestSchema, parseManifest, type Manifest, type ManifestItem, type ManifestSource } from './playlist/manifest';
export type { DownloadCheckpoint } from './download/checkpoint';
export type { DownloadResult } from './download/finish';
