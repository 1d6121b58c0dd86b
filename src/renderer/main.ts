import { createTRPCClient } from '@trpc/client';
import type { AppRouter } from '../task-service/rpc/router';
import { PortConnection } from '../shared/port/connection';
import { portLink } from '../shared/port/link';
import { fromTrpc } from './client';
import { mountDiagnostics } from './diagnostics';
import { Session } from './session';
import { connectElectron, connectWebSocket, isElectron } from './transport';
import { mountView } from './view';

/**
 * The Activity Center's entry: one PortConnection for the page's life (ports come and go
 * beneath it), a tRPC client over it, the session, and the view.
 */

const connection = new PortConnection({ resubscribe: true });
const trpc = createTRPCClient<AppRouter>({ links: [portLink<AppRouter>({ connection })] });
const session = new Session(fromTrpc(trpc));
const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
mountView(root, session);
mountDiagnostics(root, () => trpc.service.diagnostics.query());

const start = () => void session.start();
if (isElectron()) connectElectron(connection, session, start);
else connectWebSocket(connection, session, start);
