import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { createServiceClient } from '../src/shared/client';
import { fromNodeMessagePort } from '../src/shared/port/adapters';
import { isPortClosedError } from '../src/shared/port/link';
import type { RpcPort } from '../src/shared/port/types';
import { serveOnPort } from '../src/task-service/rpc/adapter';
import { createToyRouter, type ToyRouter } from './fixtures/toy-router';

/** One "service boot": the same toy router (same journal, like the same database) on a new channel. */
function boot(toy: ReturnType<typeof createToyRouter>) {
  const { port1, port2 } = new MessageChannel();
  const serverPort = fromNodeMessagePort(port1);
  const server = serveOnPort({ router: toy.router, port: serverPort, createContext: () => ({ clientId: 'c' }) });
  return { server, serverPort, clientPort: fromNodeMessagePort(port2) };
}

describe('createServiceClient', () => {
  it('with open(): reopens after the port drops, and the watch resumes with no gap and no duplicate', async () => {
    const toy = createToyRouter();
    const boots: Array<ReturnType<typeof boot>> = [];
    let disconnects = 0;
    const client = createServiceClient<ToyRouter>({
      open: () => {
        const b = boot(toy);
        boots.push(b);
        return b.clientPort;
      },
      backoff: { initialMs: 5, maxMs: 20 },
      onDisconnect: () => disconnects++,
    });
    const ids: string[] = [];
    const sub = client.trpc.watch.subscribe(undefined, { onData: (e) => ids.push(e.id) });
    await client.trpc.publish.mutate({ values: ['a', 'b'] });
    await vi.waitFor(() => expect(ids).toEqual(['1', '2']));

    boots[0]!.serverPort.close(); // the service went away
    await vi.waitFor(() => expect(disconnects).toBe(1));
    await toy.createCaller({ clientId: 'direct' }).publish({ values: ['c'] }); // while disconnected
    await vi.waitFor(() => expect(boots).toHaveLength(2));
    await vi.waitFor(() => expect(ids).toEqual(['1', '2', '3']));
    await client.trpc.publish.mutate({ values: ['d'] });
    await vi.waitFor(() => expect(ids).toEqual(['1', '2', '3', '4']));
    expect(client.connected).toBe(true);

    sub.unsubscribe();
    client.close();
    expect(client.connected).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(boots).toHaveLength(2); // closed on purpose: no reopen
  });

  it('keeps trying while open() throws (the host is not up yet), then connects', async () => {
    const toy = createToyRouter();
    let tries = 0;
    const client = createServiceClient<ToyRouter>({
      open: () => {
        if (++tries < 3) throw new Error('not yet');
        return boot(toy).clientPort;
      },
      backoff: { initialMs: 5, maxMs: 10 },
    });
    await vi.waitFor(() => expect(client.connected).toBe(true));
    expect(await client.trpc.echo.query({ text: 'hi' })).toEqual({ text: 'hi', clientId: 'c' });
    expect(tries).toBe(3);
    client.close();
  });

  it('with pushed ports (setPort): calls fail while none is attached, subscriptions wait and resume', async () => {
    const toy = createToyRouter();
    const first = boot(toy);
    const client = createServiceClient<ToyRouter>({ port: first.clientPort });
    const ids: string[] = [];
    client.trpc.watch.subscribe(undefined, { onData: (e) => ids.push(e.id) });
    await client.trpc.publish.mutate({ values: ['a'] });
    await vi.waitFor(() => expect(ids).toEqual(['1']));

    first.serverPort.close();
    await vi.waitFor(() => expect(client.connected).toBe(false));
    await expect(client.trpc.echo.query({ text: 'x' })).rejects.toSatisfy(isPortClosedError);
    await toy.createCaller({ clientId: 'direct' }).publish({ values: ['b'] });

    const port: RpcPort = boot(toy).clientPort;
    client.setPort(port);
    await vi.waitFor(() => expect(ids).toEqual(['1', '2']));
    client.close();
  });
});
