import { createTRPCClient } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { PortConnection } from '../shared/port/connection';
import { portLink } from '../shared/port/link';
import { fromTrpc, type TrpcLike } from './client';
import { Session } from './session';
import { connectElectron, connectWebSocket, isElectron } from './transport';
import { mountView } from './view';

/**
 * The Activity Center's entry: one PortConnection for the page's life (ports come and go
 * beneath it), a tRPC client over it, the session, and the view.
 */

const connection = new PortConnection({ resubscribe: true });
// TODO(lead): type with AppRouter once src/task-service/rpc/router.ts exists and drop the cast.
const trpc = createTRPCClient<AnyTRPCRouter>({ links: [portLink({ connection })] }) as unknown as TrpcLike;
const session = new Session(fromTrpc(trpc));
const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
mountView(root, session);

const start = () => void session.start();
if (isElectron()) connectElectron(connection, session, start);
else connectWebSocket(connection, session, start);
