import { MessageChannel } from 'node:worker_threads';
import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromDomMessagePort, fromNodeMessagePort } from '../src/shared/port/adapters';
import { serviceCodeOf } from '../src/shared/port/errors';
import { isPortClosedError } from '../src/shared/port/link';
import { serveOnPort } from '../src/task-service/rpc/adapter';
import { servedPair } from './support/port-pair';
import { createToyRouter } from './fixtures/toy-router';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function pair(opts?: Parameters<typeof servedPair>[0]) {
  const p = servedPair(opts);
  cleanups.push(() => p.close());
  return p;
}

async function caught(promise: Promise<unknown>): Promise<TRPCClientError<any>> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    return e as TRPCClientError<any>;
  }
  throw new Error('expected the call to fail');
}

/** Subscribes to `watch`, collecting {id, data} until `stop()`. */
function watch(client: ReturnType<typeof servedPair>['client'], input?: { lastEventId?: string }) {
  const events: Array<{ id: string; data: string }> = [];
  const errors: unknown[] = [];
  let started = false;
  const sub = client.watch.subscribe(input, {
    onStarted: () => (started = true),
    onData: (e) => events.push(e),
    onError: (e) => errors.push(e),
  });
  return { events, errors, isStarted: () => started, stop: () => sub.unsubscribe() };
}

describe('tRPC over a worker_threads MessagePort', () => {
  it('answers queries and mutations with the context from createContext', async () => {
    const { client } = pair();
    await expect(client.echo.query({ text: 'hi' })).resolves.toEqual({ text: 'hi', clientId: 'c1' });
    await expect(client.add.mutate({ by: 2 })).resolves.toBe(2);
    await expect(client.add.mutate({ by: 3 })).resolves.toBe(5);
  });

  it('delivers tracked ids and resumes after lastEventId with no gap and no duplicate', async () => {
    const { client, server, toy } = pair();
    await client.publish.mutate({ values: ['a', 'b', 'c'] });
    const first = watch(client);
    await vi.waitFor(() => expect(first.events).toHaveLength(3));
    await client.publish.mutate({ values: ['d'] });
    await vi.waitFor(() => expect(first.events).toHaveLength(4));
    expect(first.events).toEqual([
      { id: '1', data: 'a' }, { id: '2', data: 'b' }, { id: '3', data: 'c' }, { id: '4', data: 'd' },
    ]);
    first.stop();
    await vi.waitFor(() => expect(server.activeSubscriptions()).toBe(0));
    expect(toy.stats.openGenerators).toBe(0);

    await client.publish.mutate({ values: ['e', 'f'] });
    const resumed = watch(client, { lastEventId: '4' });
    await vi.waitFor(() => expect(resumed.events.map((e) => e.id)).toEqual(['5', '6']));
    resumed.stop();
  });

  it('stop ends the server generator; closing the port aborts every running subscription', async () => {
    const { client, server, toy, clientPort } = pair();
    const subs = [watch(client), watch(client), watch(client)];
    await vi.waitFor(() => expect(subs.every((s) => s.isStarted())).toBe(true));
    expect(server.activeSubscriptions()).toBe(3);
    subs[0]!.stop();
    await vi.waitFor(() => expect(server.activeSubscriptions()).toBe(2));
    clientPort.close();
    await vi.waitFor(() => expect(server.activeSubscriptions()).toBe(0));
    expect(toy.stats.openGenerators).toBe(0);
  });

  it('fails an in-flight call clearly when the port closes, and later calls too', async () => {
    const { client, serverPort, server } = pair();
    const pending = client.hang.query();
    await vi.waitFor(() => expect(server.activeCalls()).toBe(1));
    const sub = watch(client);
    await vi.waitFor(() => expect(sub.isStarted()).toBe(true));
    serverPort.close();
    const error = await caught(pending);
    expect(isPortClosedError(error)).toBe(true);
    expect(error.message).toMatch(/port closed/);
    await vi.waitFor(() => expect(sub.errors).toHaveLength(1));
    expect(isPortClosedError(sub.errors[0])).toBe(true);
    expect(isPortClosedError(await caught(client.echo.query({ text: 'x' })))).toBe(true);
    // The server aborted the hanging procedure's signal when its port closed.
    await vi.waitFor(() => expect(server.activeCalls()).toBe(0));
  });

  it('carries the ServiceError code in data.serviceCode with the mapped tRPC code', async () => {
    const { client } = pair();
    const cases = [
      ['NOT_FOUND', 'NOT_FOUND'], ['BAD_INPUT', 'BAD_REQUEST'], ['DEPENDENCY_CYCLE', 'BAD_REQUEST'],
      ['ILLEGAL_TRANSITION', 'CONFLICT'], ['CONFLICT', 'CONFLICT'], ['UNKNOWN_TYPE', 'BAD_REQUEST'],
      ['DB_UNAVAILABLE', 'INTERNAL_SERVER_ERROR'],
    ] as const;
    for (const [serviceCode, trpcCode] of cases) {
      const error = await caught(client.fail.query({ code: serviceCode }));
      expect(serviceCodeOf(error)).toBe(serviceCode);
      expect(error.data?.code).toBe(trpcCode);
      expect(error.data?.details).toEqual({ why: 'asked to' });
      expect(error.message).toBe(`toy failure ${serviceCode}`);
    }
  });

  it('turns zod validation failures into BAD_INPUT and unknown paths into NOT_FOUND', async () => {
    const { client } = pair();
    const bad = await caught(client.echo.query({ text: 42 } as never));
    expect(serviceCodeOf(bad)).toBe('BAD_INPUT');
    expect(bad.data?.code).toBe('BAD_REQUEST');
    expect(bad.data?.details?.issues?.[0]?.path).toBe('text');
    const missing = await caught((client as any).nope.query());
    expect(serviceCodeOf(missing)).toBe('NOT_FOUND');
  });

  it('answers with an error when a result cannot be cloned onto the port', async () => {
    const { client } = pair();
    const error = await caught(client.uncloneable.query());
    expect(error.data?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(serviceCodeOf(error)).toBe('INTERNAL');
    await expect(client.echo.query({ text: 'ok' })).resolves.toMatchObject({ text: 'ok' });
  });

  it('ends a subscription with a typed error when its generator throws or yields an uncloneable value', async () => {
    const { client, server, toy } = pair();
    const seen: unknown[] = [];
    const errors: unknown[] = [];
    client.explode.subscribe(undefined, { onData: (d) => seen.push(d), onError: (e) => errors.push(e) });
    client.badStream.subscribe(undefined, { onData: (d) => seen.push(d), onError: (e) => errors.push(e) });
    await vi.waitFor(() => expect(errors).toHaveLength(2));
    expect(seen.sort()).toEqual([1, 'fine']);
    expect(errors.map(serviceCodeOf).sort()).toEqual(['DB_UNAVAILABLE', 'INTERNAL']);
    await vi.waitFor(() => expect(server.activeSubscriptions()).toBe(0));
    expect(toy.stats.openGenerators).toBe(0);
  });

  it('answers malformed messages that carry an id with a typed BAD_INPUT error', async () => {
    const toy = createToyRouter();
    const { port1, port2 } = new MessageChannel();
    const server = serveOnPort({ router: toy.router, port: fromNodeMessagePort(port1), createContext: () => ({ clientId: 'raw' }) });
    const raw = fromNodeMessagePort(port2);
    cleanups.push(() => raw.close());
    const replies: any[] = [];
    raw.onMessage((m) => replies.push(m));
    raw.postMessage({ id: 7, method: 'launch', params: {} });
    raw.postMessage({ id: 8, method: 'query' });
    raw.postMessage('not even an object');
    raw.postMessage({ id: 9, method: 'query', params: { path: '__proto__', input: {} } });
    await vi.waitFor(() => expect(replies).toHaveLength(3));
    const byId = new Map(replies.map((r) => [r.id, r]));
    expect(byId.get(7).error.data).toMatchObject({ code: 'BAD_REQUEST', serviceCode: 'BAD_INPUT' });
    expect(byId.get(8).error.data).toMatchObject({ code: 'BAD_REQUEST', serviceCode: 'BAD_INPUT' });
    expect(byId.get(9).error.data).toMatchObject({ code: 'NOT_FOUND', serviceCode: 'NOT_FOUND' });
    expect(server.activeSubscriptions()).toBe(0);
  });

  it('refuses a second subscription with an id that is still running', async () => {
    const toy = createToyRouter();
    const { port1, port2 } = new MessageChannel();
    serveOnPort({ router: toy.router, port: fromNodeMessagePort(port1) });
    const raw = fromNodeMessagePort(port2);
    cleanups.push(() => raw.close());
    const replies: any[] = [];
    raw.onMessage((m) => replies.push(m));
    raw.postMessage({ id: 1, method: 'subscription', params: { path: 'idle', input: undefined } });
    await vi.waitFor(() => expect(replies.some((r) => r.result?.data === 'ready')).toBe(true));
    raw.postMessage({ id: 1, method: 'subscription', params: { path: 'idle', input: undefined } });
    await vi.waitFor(() => expect(replies.some((r) => r.error)).toBe(true));
    expect(replies.find((r) => r.error).error.data.code).toBe('BAD_REQUEST');
    raw.postMessage({ id: 1, method: 'subscription.stop' });
    await vi.waitFor(() => expect(replies.at(-1)).toEqual({ id: 1, result: { type: 'stopped' } }));
  });

  it('works over the DOM MessagePort API, and an explicit close says bye to the peer', async () => {
    const toy = createToyRouter();
    // Node's global MessageChannel is the EventTarget flavour, like a browser's.
    const channel = new globalThis.MessageChannel();
    const serverPort = fromDomMessagePort(channel.port1);
    const server = serveOnPort({ router: toy.router, port: serverPort, createContext: () => ({ clientId: 'dom' }) });
    const clientPort = fromDomMessagePort(channel.port2);
    const replies: any[] = [];
    clientPort.onMessage((m) => replies.push(m));
    clientPort.postMessage({ id: 1, method: 'subscription', params: { path: 'idle', input: undefined } });
    await vi.waitFor(() => expect(server.activeSubscriptions()).toBe(1));
    const serverSawClose = vi.fn();
    serverPort.onClose(serverSawClose);
    clientPort.close();
    await vi.waitFor(() => expect(serverSawClose).toHaveBeenCalledOnce());
    await vi.waitFor(() => expect(server.activeSubscriptions()).toBe(0));
    expect(serverPort.closed).toBe(true);
    expect(toy.stats.openGenerators).toBe(0);
  });
});
