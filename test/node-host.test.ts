import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTRPCClient } from '@trpc/client';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPortClosedError, portLink } from '../src/shared/port/link';
import { startNodeHost, type NodeHost } from '../src/task-service/node-host/host';
import type { HostEvent } from '../src/task-service/node-host/lifecycle';
import type { ToyRouter } from './fixtures/toy-router';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'toy-service.ts');
const hosts: NodeHost[] = [];
/** A child under tsx on a busy 2-core machine can take seconds to boot; waiting is not asserting. */
const PATIENT = { timeout: 15_000, interval: 20 };
afterEach(async () => {
  for (const host of hosts.splice(0)) {
    host.kill('SIGKILL');
    await host.exit;
  }
});

function start(config: Record<string, unknown> = {}) {
  const host = startNodeHost({ entry: ENTRY, config: { dbPath: '/tmp/none.db', ...config }, stdio: 'inherit' });
  hosts.push(host);
  const events: HostEvent[] = [];
  const messages: any[] = [];
  host.onEvent((e) => events.push(e));
  host.onMessage((m) => messages.push(m));
  const client = () => createTRPCClient<ToyRouter>({ links: [portLink({ port: host.connect() })] });
  return { host, events, messages, client };
}

describe('the Node host', () => {
  it('delivers config, serves two clients on separate ports, and carries subscriptions', async () => {
    const { host, messages, client } = start({ limit: 3 });
    const a = client();
    const b = client();
    await expect(a.echo.query({ text: 'a' })).resolves.toEqual({ text: 'a', clientId: 'client-1' });
    await expect(b.echo.query({ text: 'b' })).resolves.toEqual({ text: 'b', clientId: 'client-2' });
    expect(messages[0]).toMatchObject({ type: 'configured', host: 'node', pid: host.pid, config: { type: 'config', dbPath: '/tmp/none.db', limit: 3 } });

    const seen: Array<{ id: string; data: string }> = [];
    const sub = a.watch.subscribe(undefined, { onData: (e) => seen.push(e) });
    await b.publish.mutate({ values: ['x', 'y'] });
    await vi.waitFor(() => expect(seen).toEqual([{ id: '1', data: 'x' }, { id: '2', data: 'y' }]), PATIENT);
    sub.unsubscribe();
  });

  it('closing one client port aborts its subscriptions in the child and leaves other clients alone', async () => {
    const { host } = start();
    const portA = host.connect();
    const a = createTRPCClient<ToyRouter>({ links: [portLink({ port: portA })] });
    const b = createTRPCClient<ToyRouter>({ links: [portLink({ port: host.connect() })] });
    a.idle.subscribe(undefined, {});
    a.idle.subscribe(undefined, {});
    await vi.waitFor(async () => expect((await b.stats.query()).openGenerators).toBe(2), PATIENT);
    portA.close();
    await vi.waitFor(async () => expect((await b.stats.query()).openGenerators).toBe(0), PATIENT);
    await expect(b.echo.query({ text: 'still' })).resolves.toMatchObject({ clientId: 'client-2' });
  });

  it('fails in-flight calls clearly when the child is SIGKILLed and reports the exit reason', async () => {
    const { host, events, client } = start();
    const a = client();
    await a.echo.query({ text: 'up' });
    const subErrors: unknown[] = [];
    a.idle.subscribe(undefined, { onError: (e) => subErrors.push(e) });
    const inFlight = a.hang.query();
    await vi.waitFor(async () => expect((await a.stats.query()).openGenerators).toBe(1), PATIENT);

    host.kill('SIGKILL');
    await expect(inFlight).rejects.toSatisfy(isPortClosedError);
    await expect(inFlight).rejects.toThrow(/port closed/);
    const exit = await host.exit;
    expect(exit).toEqual({ reason: 'killed', code: null, signal: 'SIGKILL' });
    expect(events.map((e) => e.type)).toEqual(['spawned', 'ready', 'exit']);
    await vi.waitFor(() => expect(subErrors).toHaveLength(1), PATIENT);
    expect(isPortClosedError(subErrors[0])).toBe(true);
    await expect(a.echo.query({ text: 'late' })).rejects.toSatisfy(isPortClosedError);
  });

  it('calls a kill that did not come from the host a crash', async () => {
    const { host, client } = start();
    await client().echo.query({ text: 'up' });
    process.kill(host.pid!, 'SIGKILL');
    expect(await host.exit).toMatchObject({ reason: 'crashed', signal: 'SIGKILL' });
  });

  it('stop() lets the service drain and exit cleanly', async () => {
    const { host, messages, client } = start();
    await client().echo.query({ text: 'up' });
    expect(await host.stop()).toEqual({ reason: 'stopped', code: 0, signal: null });
    expect(messages.at(-1)).toEqual({ type: 'drained', clients: 1 });
  });

  it('stop() SIGKILLs a service that does not drain in time', async () => {
    const { host, client } = start({ ignoreShutdown: true });
    await client().echo.query({ text: 'up' });
    expect(await host.stop(300)).toEqual({ reason: 'stop-timeout', code: null, signal: 'SIGKILL' });
  });

  it('survives garbage on the raw IPC channel and on a virtual port, and keeps serving', async () => {
    const { host, client } = start();
    const a = client();
    await a.echo.query({ text: 'up' });
    const garbage = fc.sample(
      fc.oneof(
        fc.anything({ key: fc.constantFrom('__proto__', 'constructor', 'type', 'portId', 'data', 'portIds'), maxDepth: 3 }),
        // Frames for ports that do not exist (a live port's own frames are the next test's subject).
        fc.record({ type: fc.constantFrom('port-msg', 'port-close', 'parent-msg', 'hello'), portId: fc.oneof(fc.integer({ min: 1000 }), fc.string()), data: fc.anything(), portIds: fc.anything() }, { requiredKeys: [] }),
      ),
      { numRuns: 2_000, seed: 7 },
    );
    const raw = host.connect();
    const replies: any[] = [];
    raw.onMessage((m) => replies.push(m));
    for (const g of garbage) {
      // Straight onto the IPC channel, bypassing the host's framing...
      if (g !== undefined) host.child.send(g as never, undefined, undefined, () => {});
      // ...and as RPC garbage on a port the service is serving.
      raw.postMessage(g);
    }
    raw.postMessage({ id: 'probe', method: 'query', params: { path: 'echo', input: { text: 'alive' } } });
    await vi.waitFor(() => expect(replies.find((r) => r.id === 'probe')).toBeDefined(), PATIENT);
    expect(replies.find((r) => r.id === 'probe').result.data).toEqual({ text: 'alive', clientId: 'client-2' });
    for (const r of replies) if (r.error) expect(typeof r.error.data.serviceCode).toBe('string');
    await expect(a.echo.query({ text: 'still' })).resolves.toMatchObject({ clientId: 'client-1' });
    expect(host.child.exitCode).toBeNull();
  });

  it('a port the child no longer has is closed on the host side at its next message, not left hanging', async () => {
    const { host, client } = start();
    const portA = host.connect();
    const a = createTRPCClient<ToyRouter>({ links: [portLink({ port: portA })] });
    await a.echo.query({ text: 'up' });
    // Forge the host closing port 1 behind the host's back: only the child forgets it.
    host.child.send({ type: 'port-close', portId: 1 }, undefined, undefined, () => {});
    await expect(a.echo.query({ text: 'lost' })).rejects.toSatisfy(isPortClosedError);
    expect(portA.closed).toBe(true);
    await expect(client().echo.query({ text: 'new' })).resolves.toMatchObject({ clientId: 'client-2' });
  });

  it('queues a connect made before the child listens, so an early client is not lost', async () => {
    const { host, events, client } = start();
    const early = client(); // connect() before 'ready'
    expect(events.some((e) => e.type === 'ready')).toBe(false);
    await expect(early.echo.query({ text: 'early' })).resolves.toMatchObject({ clientId: 'client-1' });
    expect(host.pid).toBeGreaterThan(0);
  });
});
