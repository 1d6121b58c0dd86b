import { contextBridge, ipcRenderer } from 'electron';
import { IPC } from '../shared/ipc';

/**
 * Runs sandboxed, before the page. It exposes no Node API: only a frozen marker saying the
 * page runs under Electron (so it waits for a port instead of opening a WebSocket). It
 * forwards the service port (and service status) into the page with window.postMessage, the
 * channel Electron recommends for MessagePorts, then asks main for a port.
 */

// Besides the marker: the folder picker and Show in folder / Open, which send only a task id
// (main takes the path from the service).
contextBridge.exposeInMainWorld(
  'playlistify',
  Object.freeze({
    host: 'electron',
    pickFolder: () => ipcRenderer.invoke(IPC.pickFolder),
    fileAction: (action: string, id: string) => ipcRenderer.invoke(IPC.fileAction, String(action), String(id)),
  }),
);

ipcRenderer.on(IPC.servicePort, (event) => {
  window.postMessage(IPC.servicePort, '*', event.ports);
});

ipcRenderer.on(IPC.serviceState, (_event, status: unknown) => {
  window.postMessage({ type: IPC.serviceState, status }, '*');
});

// Ask once the page can listen; main refuses windows it did not create.
window.addEventListener('DOMContentLoaded', () => ipcRenderer.send(IPC.requestPort));
