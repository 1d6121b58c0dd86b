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
  /** page -> preload -> main (invoke): the host's diagnostics (versions, last log lines). */
  diagnostics: 'playlistify:diagnostics',
  /** page -> preload -> main (invoke): open the logs folder in the file manager. */
  openLogsFolder: 'playlistify:open-logs-folder',
  /** page -> preload -> main (invoke): show or open a completed task's file, by task id only. */
  fileAction: 'playlistify:file-action',
  /** page -> preload -> main (invoke): the folder picker (dialog.showOpenDialog). */
  pickFolder: 'playlistify:pick-folder',
} as const;

/**
 * Main tells the sandboxed preload which origin its page has (webPreferences.additionalArguments),
 * so the preload posts the service port to that origin only, never to '*'.
 */
export const PAGE_ORIGIN_ARG = '--playlistify-page-origin=';

/** What Electron main adds to "Copy diagnostics" (a plain, cloneable object). */
export interface HostDiagnostics {
  host: 'electron';
  appVersion: string;
  versions: Record<string, string>;
  platform: string;
  logsFolder: string;
  /** The last lines of main's log, the service's piped stderr included. */
  logLines: string[];
}

/** What the page is told about the service lifecycle (a plain, cloneable object). */
export interface ServiceStatus {
  kind: 'starting' | 'running' | 'restarting' | 'gave-up' | 'stopped';
  message: string | null;
}
