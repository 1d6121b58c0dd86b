import { fromDomMessagePort } from '../shared/port/adapters';
import type { TaskServiceClient } from '../shared/client';
import { IPC, type ServiceStatus } from '../shared/ipc';
import type { Session } from './session';

/**
 * Where the page's service port comes from. Under Electron the preload forwards a
 * MessagePort (again after every service restart); in the browser dev host the service client
 * opens a loopback WebSocket at serviceSocketUrl() and reopens it with backoff when it drops
 * (shared/client.ts). Either way the client gets a new port and re-sends the watch with its
 * last event id.
 */

/** Set by our preload (contextBridge); absent in a plain browser. */
export function isElectron(): boolean {
  return (window as { playlistify?: { host?: string } }).playlistify?.host === 'electron';
}

export function connectElectron(connection: Pick<TaskServiceClient, 'setPort'>, session: Session, onFirstPort: () => void): void {
  let first = true;
  window.addEventListener('message', (event: MessageEvent) => {
    // Only messages the preload posted to this very window.
    if (event.source !== window) return;
    if (event.data === IPC.servicePort && event.ports[0]) {
      connection.setPort(fromDomMessagePort(event.ports[0]));
      if (first) {
        first = false;
        onFirstPort();
      }
      return;
    }
    const data = event.data as { type?: string; status?: ServiceStatus } | null;
    if (data?.type === IPC.serviceState && data.status) session.serviceStatus(data.status.kind, data.status.message);
  });
}

/** Where the browser dev host serves the service port (same origin, path /service). */
export function serviceSocketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/service`;
}
