import { createServiceClient } from '../shared/client';
import { fromTrpc } from './client';
import { mountDiagnostics } from './diagnostics';
import { Session } from './session';
import { connectElectron, isElectron, serviceSocketUrl } from './transport';
import { mountView } from './view';
import { webSocketPort } from './ws-port';

/**
 * The Activity Center's entry: one service client for the page's life (ports come and go
 * beneath it; subscriptions resume on each new one), the session, and the view. Under Electron
 * the preload pushes a port after every service restart; in the browser dev host the client
 * reopens the loopback WebSocket itself, with backoff while the host is down.
 */

const client = isElectron()
  ? createServiceClient()
  : // A socket reports its close asynchronously, so `session` exists by the time this runs.
    createServiceClient({
      open: () => webSocketPort(serviceSocketUrl(), (reason) => session.serviceStatus('gave-up', reason)),
      onDisconnect: () => session.disconnected(),
    });
const session = new Session(fromTrpc(client.trpc));
const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
mountView(root, session);
mountDiagnostics(root, () => client.trpc.service.diagnostics.query());

const start = () => void session.start();
if (isElectron()) connectElectron(client, session, start);
else start();
