import { MessageChannel } from 'node:worker_threads';
import { createTRPCClient } from '@trpc/client';
import { describe, expect, it, vi } from 'vitest';
import { fromNodeMessagePort } from '../src/shared/port/adapters';
import { PortConnection } from '../src/shared/port/connection';
import { isPortClosedError, portLink } from '../src/shared/port/link';
import { serveOnPort } from '../src/task-service/rpc/adapter';
import { createToyRouter, type ToyRouter } from './fixtures/toy-router';

/** One "service boot": the same toy router (same journal, like the same database) on a new channel. */
function boot(toy: ReturnType<typeof createToyRouter>) {
  const { port1, port2 } = new MessageChannel();
  const serverPort = fromNodeMessagePort(port1);
  const server = serveOnPort({ router: toy.router, port: serverPort, createContext: () => ({ clientId: 'r' }) });
  return { server, serverPort, clientPort: fromNodeMessagePort(port2) };
}

describe('a PortConnection handed a new port after the service restarts', () => {
  it('resumes live subscriptions from their last tracked id: no gap, no duplicate', async () => {
    const toy = createToyRouter();
    const caller = toy.createCaller({ clientId: 'direct' });
    const first = boot(toy);
    const connection = new PortConnection({ port: first.clientPort, resubscribe: true });
    const client = createTRPCClient<ToyRouter>({ links: [portLink({ connection })] });

    const ids: string[] = [];
    const states: string[] = [];
    let starts = 0;
    const sub = client.watch.subscribe(undefined, {
      onStarted: () => starts++,
      onData: (e) => ids.push(e.id),
      onConnectionStateChange: (s) => states.push(s.state),
    });
    await client.publish.mutate({ values: ['a', 'b'] });
    await vi.waitFor(() => expect(ids).toEqual(['1', '2']));

    const pending = client.hang.query();
    first.serverPort.close(); // the service died
    await expect(pending).rejects.toSatisfy(isPortClosedError);
    await vi.waitFor(() => expect(states).toContain('connecting'));
    await vi.waitFor(() => expect(first.server.activeSubscriptions()).toBe(0));
    // Durable changes made while no port was attached must still reach the watcher.
    await caller.publish({ values: ['c', 'd'] });

    const second = boot(toy);
    connection.setPort(second.clientPort);
    await vi.waitFor(() => expect(ids).toEqual(['1', '2', '3', '4']));
    expect(states.at(-1)).toBe('pending');
    expect(starts).toBe(1);
    await client.publish.mutate({ values: ['e'] });
    await vi.waitFor(() => expect(ids).toEqual(['1', '2', '3', '4', '5']));

    sub.unsubscribe();
    await vi.waitFor(() => expect(second.server.activeSubscriptions()).toBe(0));
    expect(connection.size).toBe(0);
    expect(toy.stats.openGenerators).toBe(0);
    connection.close();
  });

  it('fails new queries while no port is attached instead of queueing them', async () => {
    const connection = new PortConnection({ resubscribe: true });
    const client = createTRPCClient<ToyRouter>({ links: [portLink({ connection })] });
    await expect(client.echo.query({ text: 'x' })).rejects.toSatisfy(isPortClosedError);
  });

  it('a subscription made while disconnected waits for the next port', async () => {
    const toy = createToyRouter();
    const connection = new PortConnection({ resubscribe: true });
    const client = createTRPCClient<ToyRouter>({ links: [portLink({ connection })] });
    const data: string[] = [];
    const sub = client.idle.subscribe(undefined, { onData: (d) => data.push(d) });
    expect(connection.size).toBe(1);
    const service = boot(toy);
    connection.setPort(service.clientPort);
    await vi.waitFor(() => expect(data).toEqual(['ready']));
    sub.unsubscribe();
    await vi.waitFor(() => expect(service.server.activeSubscriptions()).toBe(0));
    connection.close();
  });

  it('swapping a port that is still open stops the old subscriptions on the server', async () => {
    const toy = createToyRouter();
    const first = boot(toy);
    const connection = new PortConnection({ port: first.clientPort, resubscribe: true });
    const client = createTRPCClient<ToyRouter>({ links: [portLink({ connection })] });
    const data: string[] = [];
    const sub = client.idle.subscribe(undefined, { onData: (d) => data.push(d) });
    await vi.waitFor(() => expect(first.server.activeSubscriptions()).toBe(1));
    const second = boot(toy);
    connection.setPort(second.clientPort);
    await vi.waitFor(() => expect(first.server.activeSubscriptions()).toBe(0));
    await vi.waitFor(() => expect(second.server.activeSubscriptions()).toBe(1));
    expect(data).toEqual(['ready', 'ready']);
    sub.unsubscribe();
    await vi.waitFor(() => expect(toy.stats.openGenerators).toBe(0));
    connection.close();
  });
});
