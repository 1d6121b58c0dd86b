import { createServiceClient } from '../shared/client';
import { fromTrpc } from './client';
import { Session } from './session';
import { connectElectron, connectWebSocket, isElectron } from './transport';
import { mountView } from './view';

/**
 * The Activity Center's entry: one service client for the page's life (ports come and go
 * beneath it; subscriptions resume on each new one), the session, and the view.
 */

const client = createServiceClient();
const session = new Session(fromTrpc(client.trpc));
const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
mountView(root, session);

const start = () => void session.start();
if (isElectron()) connectElectron(client, session, start);
else connectWebSocket(client, session, start);
