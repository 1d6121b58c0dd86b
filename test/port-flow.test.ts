import { MessageChannel } from 'node:worker_threads';
import { createTRPCClient } from '@trpc/client';
import { initTRPC, tracked } from '@trpc/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceError } from '../src/shared/errors';
import { fromNodeMessagePort } from '../src/shared/port/adapters';
import { serviceCodeOf } from '../src/shared/port/errors';
import { portLink } from '../src/shared/port/link';
import { ACK_EVERY } from '../src/shared/port/protocol';
import { serveOnPort } from '../src/task-service/rpc/adapter';
import { errorFormatter } from '../src/task-service/rpc/errors';

/**
 * Subscription flow control at the port level, with a router of its own: a stream that counts
 * how often it is pulled, and a journal-backed stream that overflows on request. Shows the
 * server pulls only within the client's window, how acks and bad acks are answered, and that
 * the link resumes a watch-overflow from its lastEventId (and gives up when it makes no progress).
 */

function flowRouter() {
  const t = initTRPC.create({ errorFormatter });
  const state = { pulls: 0, overflowAt: [] as number[], stuckFrom: null as number | null };
  const journal = Array.from({ length: 50 }, (_, i) => i + 1);
  const router = t.router({
    /** Yields 0, 1, 2... forever; each value is produced only when the adapter asks for it. */
    counter: t.procedure.subscription(async function* () {
      for (let i = 0; ; i++) {
        state.pulls++;
        yield i;
      }
    }),
    /** The journal after lastEventId; ends with watch-overflow after the seqs in overflowAt, or at once when resumed from stuckFrom. */
    journal: t.procedure.input((v) => v as { lastEventId?: string } | undefined).subscription(async function* ({ input }) {
      const after = Number(input?.lastEventId ?? 0);
      if (after === state.stuckFrom) throw new ServiceError('CONFLICT', 'still behind', { reason: 'watch-overflow', lastEventId: after, maxBacklog: 1 });
      for (const seq of journal.filter((s) => s > after)) {
        yield tracked(String(seq), seq);
        if (state.overflowAt[0] === seq) {
          state.overflowAt.shift();
          throw new ServiceError('CONFLICT', 'fell behind', { reason: 'watch-overflow', lastEventId: seq, maxBacklog: 1 });
        }
      }
    }),
  });
  return { router, state };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function served(window?: number) {
  const flow = flowRouter();
  const { port1, port2 } = new MessageChannel();
  const server = serveOnPort({ router: flow.router, port: fromNodeMessagePort(port1), ...(window ? { subscriptionWindow: window } : {}) });
  const clientPort = fromNodeMessagePort(port2);
  cleanups.push(() => {
    clientPort.close();
    server.close();
  });
  return { ...flow, server, clientPort };
}

describe('subscription flow control', () => {
  it('pulls a stream only within the window, and exactly as far as acks allow', async () => {
    const s = served(10);
    const received: unknown[] = [];
    s.clientPort.onMessage((m) => received.push(m));
    // A raw client that never acks on its own.
    s.clientPort.postMessage({ id: 1, method: 'subscription', params: { path: 'counter', input: undefined } });
    await vi.waitFor(() => expect(received.filter((m) => (m as any).result?.type === 'data')).toHaveLength(10));
    // Turns of the event loop pass; nothing more is produced or posted.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(s.state.pulls).toBe(10);
    expect(s.server.unackedMessages()).toBe(10);

    s.clientPort.postMessage({ id: 1, method: 'subscription.ack', params: { count: 3 } });
    await vi.waitFor(() => expect(s.state.pulls).toBe(13));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(s.state.pulls).toBe(13);
    expect(s.server.unackedMessages()).toBe(10);
    // An ack beyond what was posted just empties the window; it never lets more than a window out.
    s.clientPort.postMessage({ id: 1, method: 'subscription.ack', params: { count: 1_000 } });
    await vi.waitFor(() => expect(s.state.pulls).toBe(23));
    expect(s.server.unackedMessages()).toBe(10);
  });

  it('lets the real link stream freely: it acks every ACK_EVERY messages as it hands them over', async () => {
    const s = served();
    const client = createTRPCClient<ReturnType<typeof flowRouter>['router']>({ links: [portLink({ port: s.clientPort })] });
    const acks: number[] = [];
    const post = s.clientPort.postMessage.bind(s.clientPort);
    s.clientPort.postMessage = (m: any) => {
      if (m.method === 'subscription.ack') acks.push(m.params.count);
      post(m);
    };
    const TARGET = 1_000 + ACK_EVERY / 2; // not a multiple of ACK_EVERY: a remainder is left over
    let got = 0;
    const sub = client.counter.subscribe(undefined, {
      onData: () => {
        if (++got === TARGET) sub.unsubscribe();
      },
    });
    await vi.waitFor(() => expect(got).toBe(TARGET));
    expect(acks.slice(0, 10)).toEqual(Array(10).fill(ACK_EVERY));
    // Never more than it was given (the partial batch at the stop goes unacknowledged: the subscription is gone).
    expect(acks.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(TARGET);
    await vi.waitFor(() => expect(s.server.activeSubscriptions()).toBe(0));
  });

  it('answers a malformed ack with a typed error and ignores an ack for a subscription it does not have', async () => {
    const s = served();
    const replies: any[] = [];
    s.clientPort.onMessage((m) => replies.push(m));
    s.clientPort.postMessage({ id: 7, method: 'subscription.ack', params: { count: 1 } });
    s.clientPort.postMessage({ id: 8, method: 'subscription.ack', params: { count: -2 } });
    s.clientPort.postMessage({ id: 9, method: 'subscription.ack' });
    s.clientPort.postMessage({ id: 10, method: 'subscription.ack', params: { count: 1.5 } });
    s.clientPort.postMessage({ id: 'probe', method: 'subscription.ack', params: { count: 'all' } });
    await vi.waitFor(() => expect(replies.map((r) => r.id)).toEqual([8, 9, 10, 'probe']));
    for (const r of replies) expect(serviceCodeOf({ data: r.error.data })).toBe('BAD_INPUT');
  });
});

describe('a watch ended for falling behind (watch-overflow)', () => {
  it('is resubscribed by the link from the lastEventId the error names: every seq once, no error to the caller', async () => {
    const s = served();
    s.state.overflowAt.push(10, 30, 31);
    const client = createTRPCClient<ReturnType<typeof flowRouter>['router']>({ links: [portLink({ port: s.clientPort })] });
    const seqs: number[] = [];
    const errors: unknown[] = [];
    let completed = false;
    client.journal.subscribe(undefined, {
      onData: ({ data }) => seqs.push(data),
      onError: (e) => errors.push(e),
      onComplete: () => (completed = true),
    });
    await vi.waitFor(() => expect(completed).toBe(true));
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(errors).toEqual([]);
    expect(s.state.overflowAt).toEqual([]);
  });

  it('is passed on to the caller when a resume makes no progress (overflow again at the same lastEventId)', async () => {
    const s = served();
    s.state.overflowAt.push(5);
    s.state.stuckFrom = 5;
    const client = createTRPCClient<ReturnType<typeof flowRouter>['router']>({ links: [portLink({ port: s.clientPort })] });
    const seqs: number[] = [];
    const errors: unknown[] = [];
    client.journal.subscribe(undefined, { onData: ({ data }) => seqs.push(data), onError: (e) => errors.push(e) });
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(serviceCodeOf(errors[0])).toBe('CONFLICT');
    expect((errors[0] as { data?: { details?: unknown } }).data?.details).toMatchObject({ reason: 'watch-overflow', lastEventId: 5 });
    await vi.waitFor(() => expect(s.server.activeSubscriptions()).toBe(0));
  });
});
