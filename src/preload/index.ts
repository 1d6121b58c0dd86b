import { contextBridge, ipcRenderer } from 'electron';
import { IPC } from '../shared/ipc';
import { expectedPageOrigin, mayForward } from './origin';

/**
 * Runs sandboxed, before the page. It exposes no Node API: a frozen object saying the page
 * runs under Electron (so it waits for a port instead of opening a WebSocket) and the requests
 * main answers only for our page (diagnostics, open the logs folder, the folder picker, and Show
 * in folder / Open, which send only a task id: main takes the path from the service). It forwards the
 * service port (and service status) into the page with window.postMessage, the channel
 * Electron recommends for MessagePorts, addressed to the page's expected origin only
 * (app://playlistify, or the dev server under electron-vite dev), then asks main for a port.
 */

const origin = expectedPageOrigin(process.argv);

contextBridge.exposeInMainWorld(
  'playlistify',
  Object.freeze({
    host: 'electron',
    diagnostics: (): Promise<unknown> => ipcRenderer.invoke(IPC.diagnostics),
    openLogsFolder: (): Promise<unknown> => ipcRenderer.invoke(IPC.openLogsFolder),
    pickFolder: () => ipcRenderer.invoke(IPC.pickFolder),
    fileAction: (action: string, id: string) => ipcRenderer.invoke(IPC.fileAction, String(action), String(id)),
  }),
);

ipcRenderer.on(IPC.servicePort, (event) => {
  if (mayForward(origin, window.location.origin)) window.postMessage(IPC.servicePort, origin, event.ports);
});

ipcRenderer.on(IPC.serviceState, (_event, status: unknown) => {
  if (mayForward(origin, window.location.origin)) window.postMessage({ type: IPC.serviceState, status }, origin);
});

// Ask once the page can listen; main refuses frames that are not our page.
window.addEventListener('DOMContentLoaded', () => ipcRenderer.send(IPC.requestPort));
