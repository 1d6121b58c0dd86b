import type { TaskDefinition } from '../engine/define';
import type { DownloadRoots } from './download/roots';
import { createPlaylistImport, playlistImport } from './playlist-import';
import { createVideoDownload, videoDownload } from './video-download';

/** The task types the app registers with the engine (folders from the environment; see roots.ts). */
export const appTasks: TaskDefinition[] = [videoDownload, playlistImport];

/** The app's task types, writing only under `roots` (the service entry passes its host's folders). */
export function createAppTasks(roots: DownloadRoots): TaskDefinition[] {
  return [createVideoDownload({ roots }), createPlaylistImport({ roots })];
}

export { createVideoDownload, videoDownload, videoDownloadInput, type VideoDownloadInput } from './video-download';
export { createPlaylistImport, playlistImport, playlistImportInput, childRequests, itemFilename } from './playlist-import';
export { HttpJsonManifestSource } from './playlist/http-json-source';
export { MANIFEST_LIMITS, manifestSchema, parseManifest, type Manifest, type ManifestItem, type ManifestSource } from './playlist/manifest';
export type { DownloadCheckpoint } from './download/checkpoint';
export type { DownloadResult } from './download/finish';
export { DownloadRoots, rootsFromEnv } from './download/roots';
