import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { fromNodeMessagePort } from '../src/shared/port/adapters';
import { leadingId, textProblem, valueProblem, WIRE_LIMITS } from '../src/shared/port/guard';
import { LIMITS } from '../src/shared/schemas';
import { serveOnPort } from '../src/task-service/rpc/adapter';
import { createAppRouter } from '../src/task-service/rpc/router';
import { createTaskService } from '../src/task-service/service';
import * as fixtureTasks from './fixtures/service/tasks';
import { tmpDir } from './support/tmp';

/**
 * The one depth-and-size guard (issue 10, "ways in" 1 and 5): its rule over values and over
 * JSON text, the adapter applying it to structured clones (what Electron's MessagePortMain
 * delivers), and the createGraph byte cap checked before any node is validated.
 */

function nested(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe('the wire guard rule', () => {
  it('passes a real request, refuses depth, size, huge sparse arrays and non-plain values', () => {
    expect(valueProblem({ id: 1, method: 'mutation', params: { path: 'tasks.create', input: { type: 'x', input: nested(LIMITS.inputDepth) } } })).toBeNull();
    expect(valueProblem(nested(WIRE_LIMITS.depth + 1))).toMatch(/deeper/);
    expect(valueProblem({ s: 'x'.repeat(WIRE_LIMITS.bytes) })).toMatch(/larger/);
    expect(valueProblem(new Array(2 ** 31))).toMatch(/larger/);
    expect(valueProblem({ when: new Date() })).toMatch(/plain data/);
    expect(valueProblem({ f: () => 1 })).toMatch(/function/);
  });

  it('checks JSON text before parsing: brackets inside strings do not count', () => {
    expect(textProblem(`${'{"a":'.repeat(2_100)}1${'}'.repeat(2_100)}`)).toMatch(/deeper/);
    expect(textProblem(JSON.stringify({ id: 1, s: '[[[[[['.repeat(1_000) }))).toBeNull();
    expect(textProblem(JSON.stringify({ s: '\\"[[' }))).toBeNull();
    expect(textProblem('x'.repeat(WIRE_LIMITS.bytes + 1))).toMatch(/larger/);
    expect(leadingId('{"id":42,"method":"query"')).toBe(42);
    expect(leadingId(' { "id" : "req-1" , ')).toBe('req-1');
    expect(leadingId('{"method":"query","id":1}')).toBeNull();
  });
});

describe('the guard on structured-clone ports (as Electron delivers them)', () => {
  it('a deep message posted on a MessagePort gets BAD_INPUT, nothing is written, the port keeps serving', async () => {
    const dbPath = path.join(tmpDir(), 'tasks.db');
    const service = createTaskService({ dbPath, tasks: Object.values(fixtureTasks), concurrency: { global: 1 } });
    await service.start();
    try {
      const channel = new MessageChannel();
      serveOnPort({ router: createAppRouter(service), port: fromNodeMessagePort(channel.port1), createContext: () => ({ clientId: 't' }) });
      const client = fromNodeMessagePort(channel.port2);
      const replies = new Map<unknown, any>();
      client.onMessage((m) => replies.set((m as { id: unknown }).id, m));
      client.postMessage({ id: 1, method: 'mutation', params: { path: 'tasks.create', input: { type: 'fx-steps', input: nested(1_000) } } });
      client.postMessage(nested(1_000));
      client.postMessage({ id: 2, method: 'query', params: { path: 'tasks.list', input: {} } });
      await vi.waitFor(() => expect(replies.has(2)).toBe(true));
      expect(replies.get(1).error.data.serviceCode).toBe('BAD_INPUT');
      expect(replies.get(2).result.data.items).toEqual([]);
      client.close();
    } finally {
      await service.stop({ timeoutMs: 1_000 });
    }
  });
});

describe('createGraph byte cap', () => {
  it('10,000 nodes of 1 MiB each are refused up front with BAD_INPUT, before any node is validated', async () => {
    const dbPath = path.join(tmpDir(), 'tasks.db');
    const service = createTaskService({ dbPath, tasks: Object.values(fixtureTasks), concurrency: { global: 1 } });
    await service.start();
    try {
      const mib = 'm'.repeat(LIMITS.inputBytes - 16);
      const tasks = Array.from({ length: LIMITS.graphTasks }, (_, i) => ({ key: `k${i}`, type: 'fx-steps', input: { mib } }));
      let parsedNodes = 0;
      const counting = tasks.map((t) => ({ ...t, get type() { parsedNodes++; return 'fx-steps'; } }));
      expect(() => service.createGraph({ tasks: counting })).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringMatching(/task graph is larger/) }));
      // The cap's walk stops at the limit: it reads a handful of nodes, the schema none.
      expect(parsedNodes).toBeLessThan(20);
      expect(service.list({}).items).toEqual([]);
    } finally {
      await service.stop({ timeoutMs: 1_000 });
    }
  });
});
