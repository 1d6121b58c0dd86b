import { MessageChannel } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { isErrorCode } from '../src/shared/errors';
import { fromNodeMessagePort } from '../src/shared/port/adapters';
import { serveOnPort } from '../src/task-service/rpc/adapter';
import { createToyRouter } from './fixtures/toy-router';

const MESSAGES = 10_000;
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'id', 'method', 'params', 'path', 'input', 'lastEventId'];

function deep(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { nested: v };
  return v;
}

const hostileKey = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 }));
const HUGE = 'x'.repeat(256 * 1024);
const hostileValue = fc.oneof(
  { weight: 12, arbitrary: fc.anything({ key: hostileKey, maxDepth: 4, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 400 }).map(deep) },
  { weight: 1, arbitrary: fc.constant(HUGE) },
);
// Objects built with JSON.parse carry `__proto__` as an own key, as a hostile peer could send.
const protoObject = fc.constantFrom(
  JSON.parse('{"__proto__": {"polluted": true}, "id": 1}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
);
/** Envelopes close enough to valid to reach the router, each with a unique numeric id. */
const nearValid = fc.record({
  method: fc.oneof(fc.constantFrom('query', 'mutation', 'subscription', 'subscription.stop', 'subscription.ack', 'QUERY', 'subscription.start'), hostileValue),
  params: fc.oneof(
    fc.record({
      path: fc.oneof(fc.constantFrom('echo', 'add', 'fail', 'nope', '__proto__', 'constructor', 'toString', 'echo.__proto__', ''), fc.string()),
      input: fc.oneof(hostileValue, fc.record({ text: fc.oneof(fc.string(), hostileValue) }), fc.record({ by: hostileValue }), fc.record({ code: fc.string() })),
      lastEventId: fc.option(fc.oneof(fc.string(), hostileValue), { nil: undefined }),
    }, { requiredKeys: [] }),
    hostileValue,
  ),
  jsonrpc: fc.option(fc.constantFrom('2.0', '1.0'), { nil: undefined }),
});
const message = fc.oneof(
  { weight: 2, arbitrary: hostileValue.map((v) => ({ kind: 'garbage' as const, v })) },
  { weight: 1, arbitrary: protoObject.map((v) => ({ kind: 'garbage' as const, v })) },
  { weight: 5, arbitrary: nearValid.map((v) => ({ kind: 'envelope' as const, v })) },
);

describe('hostile messages at the port boundary', () => {
  it(`answers or ignores ${MESSAGES} random payloads with typed errors and keeps serving`, async () => {
    const toy = createToyRouter();
    const { port1, port2 } = new MessageChannel();
    const serverErrors: unknown[] = [];
    const server = serveOnPort({
      router: toy.router,
      port: fromNodeMessagePort(port1),
      createContext: () => ({ clientId: 'fuzz' }),
      onError: (info) => serverErrors.push(info.error),
    });
    const raw = fromNodeMessagePort(port2);
    const replies = new Map<number | string, unknown[]>();
    raw.onMessage((m) => {
      const id = (m as { id?: unknown }).id;
      if (typeof id === 'number' || typeof id === 'string') replies.set(id, [...(replies.get(id) ?? []), m]);
    });

    const samples = fc.sample(message, { numRuns: MESSAGES, seed: 4242 });
    const expectAnswer = new Set<number>();
    // Far from the small ids garbage may carry (garbage with a usable id is answered too).
    const FIRST_ID = 10_000_000;
    let nextId = FIRST_ID;
    for (const sample of samples) {
      if (sample.kind === 'garbage') {
        raw.postMessage(sample.v);
        continue;
      }
      const id = nextId++;
      const method = sample.v.method;
      // A stop is a notification (no answer); everything else with a usable id must get one
      // (an ack here never carries params.count, so it is malformed and answered).
      if (method !== 'subscription.stop') expectAnswer.add(id);
      raw.postMessage({ ...sample.v, id });
      // Never leave a subscription running: stop whatever might have started.
      if (method === 'subscription') raw.postMessage({ id, method: 'subscription.stop' });
    }

    const probe = 'probe-after-the-fuzz';
    raw.postMessage({ id: probe, method: 'query', params: { path: 'echo', input: { text: 'still here' } } });
    await vi.waitFor(() => expect(replies.get(probe)).toBeDefined(), { timeout: 20_000 });
    await vi.waitFor(() => expect([...expectAnswer].filter((id) => !replies.has(id))).toEqual([]), { timeout: 20_000 });

    for (const [id, answers] of replies) {
      // No reachable path is a subscription, so every request gets exactly one answer.
      if (typeof id === 'number' && id >= FIRST_ID) expect(answers, `request ${id}`).toHaveLength(1);
      for (const a of answers as any[]) {
        if (!a.error) continue;
        expect(typeof a.error.code).toBe('number');
        expect(typeof a.error.message).toBe('string');
        expect(isErrorCode(a.error.data.serviceCode)).toBe(true);
      }
    }
    expect(replies.get(probe)).toEqual([{ id: probe, result: { type: 'data', data: { text: 'still here', clientId: 'fuzz' } } }]);
    await vi.waitFor(() => expect(server.activeSubscriptions()).toBe(0));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(serverErrors.length).toBeGreaterThan(0);
    raw.close();
  });
});
