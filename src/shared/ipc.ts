/**
 * Names and shapes shared by Electron main, the preload and the page for handing over the
 * service port. Plain strings and JSON only: every process may import this.
 */

export const IPC = {
  /** preload -> main: this window wants a service port. */
  requestPort: 'playlistify:request-port',
  /** main -> preload (ipc, with the port), then preload -> page (window.postMessage data). */
  servicePort: 'playlistify:service-port',
  /** main -> preload -> page: the service lifecycle, so the page can say why it waits. */
  serviceState: 'playlistify:service-state',
  /** page -> preload -> main (invoke): show or open a completed task's file, by task id only. */
  fileAction: 'playlistify:file-action',
  /** page -> preload -> main (invoke): the folder picker (dialog.showOpenDialog). */
  pickFolder: 'playlistify:pick-folder',
} as const;

/** What the page is told about the service lifecycle (a plain, cloneable object). */
export interface ServiceStatus {
  kind: 'starting' | 'running' | 'restarting' | 'gave-up' | 'stopped';
  message: string | null;
}
