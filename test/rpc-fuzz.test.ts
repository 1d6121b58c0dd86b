import { createHash } from 'node:crypto';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isErrorCode } from '../src/shared/errors';
import { fromNodeMessagePort } from '../src/shared/port/adapters';
import type { RpcPort } from '../src/shared/port/types';
import { serveOnPort } from '../src/task-service/rpc/adapter';
import { createAppRouter } from '../src/task-service/rpc/router';
import { createTaskService } from '../src/task-service/service';
import { hostilePayload, type Hostile } from './fixtures/service/hostile';
import * as fixtureTasks from './fixtures/service/tasks';
import { tmpDir } from './support/tmp';
import { killAll, startService } from './support/service-process';

/**
 * Hostile payloads against the REAL router and service: in-process over a worker_threads
 * MessageChannel (10,000 samples, for speed) and through the real child process (a smaller
 * sample over the Node host's port). Every answered call gets a typed error, the service
 * still answers a health query afterwards, and the database is byte-for-byte what it was.
 */

afterEach(killAll);

/** A hash of every row the service keeps about tasks (the owner heartbeat row excluded: it ticks). */
function snapshot(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const hash = createHash('sha256');
    for (const sql of ['SELECT * FROM tasks ORDER BY id', 'SELECT * FROM task_deps ORDER BY 1, 2', 'SELECT * FROM task_events ORDER BY seq']) {
      hash.update(JSON.stringify(db.prepare(sql).raw().all()));
    }
    const counts = db.prepare('SELECT (SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM task_events) AS events').get();
    return `${JSON.stringify(counts)} ${hash.digest('hex')}`;
  } finally {
    db.close();
  }
}

type Reply = { id?: unknown; error?: { code: unknown; message: unknown; data?: { serviceCode?: unknown } }; result?: { type?: string; data?: unknown } };

/** Posts every sample with a unique id (garbage as it is), stops subscriptions, collects replies. */
async function fire(port: RpcPort, samples: Hostile[]) {
  const replies = new Map<number | string, Reply[]>();
  port.onMessage((m) => {
    const id = (m as Reply).id;
    if (typeof id === 'number' || typeof id === 'string') replies.set(id, [...(replies.get(id) ?? []), m as Reply]);
  });
  // Far above any id random garbage might carry, so a reply is unambiguously ours.
  const FIRST = 1e9;
  const sent: Array<{ id: number; sample: Hostile }> = [];
  samples.forEach((sample, i) => {
    if (sample.expect === 'maybe') return port.postMessage(sample.message);
    const id = FIRST + i;
    sent.push({ id, sample });
    port.postMessage({ ...(sample.message as object), id });
  });
  port.postMessage({ id: 'health', method: 'query', params: { path: 'service.health' } });
  await vi.waitFor(() => expect(replies.has('health')).toBe(true), { timeout: 60_000, interval: 50 });
  await vi.waitFor(() => expect(sent.filter((s) => !replies.has(s.id)).map((s) => s.sample)).toEqual([]), { timeout: 60_000, interval: 50 });
  // Stopped only now: a stop sent at once could beat the input check and turn its error into
  // a plain `stopped`. Whatever did start (random input a schema accepts) is ended here.
  const started = sent.filter((s) => replies.get(s.id)?.[0]?.result?.type === 'started');
  for (const s of started) port.postMessage({ id: s.id, method: 'subscription.stop' });
  await vi.waitFor(() => expect(started.filter((s) => !replies.get(s.id)?.some((r) => r.result?.type === 'stopped'))).toEqual([]), { timeout: 20_000 });
  return { replies, sent };
}

/** The verdicts, returned rather than asserted one by one so a failure names the payload. */
function judge(replies: Map<number | string, Reply[]>, sent: Array<{ id: number; sample: Hostile }>) {
  const wrong: unknown[] = [];
  let errors = 0;
  for (const { id, sample } of sent) {
    const first = replies.get(id)?.[0];
    for (const r of replies.get(id) ?? []) {
      if (r.error && !isErrorCode(r.error.data?.serviceCode)) wrong.push({ untyped: r.error, sample });
      if (r.error) errors++;
    }
    if (sample.expect === 'error' && !first?.error) wrong.push({ answered: first, sample });
    // Hostile input is the client's fault: never an internal error of the service.
    if (sample.expect === 'error' && first?.error?.data?.serviceCode === 'INTERNAL') wrong.push({ internal: first.error, sample });
  }
  return { wrong: wrong.slice(0, 5), errors };
}

describe('hostile payloads at the real router', () => {
  it('10,000 random payloads in process: typed errors, still healthy, database unchanged', { timeout: 120_000 }, async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'tasks.db');
    const service = createTaskService({ dbPath, tasks: Object.values(fixtureTasks), concurrency: { global: 2 } });
    await service.start();
    try {
      // Existing tasks that must stay exactly as they are; the queue is paused so none runs.
      service.queuePause();
      const a = service.create({ type: 'fx-steps', input: { dir, steps: 1, stepMs: 1 } });
      service.create({ type: 'fx-steps', input: { dir, steps: 1, stepMs: 1 }, dependsOn: [a.id] });
      const before = snapshot(dbPath);

      const channel = new MessageChannel();
      const server = serveOnPort({ router: createAppRouter(service), port: fromNodeMessagePort(channel.port1), createContext: () => ({ clientId: 'fuzz' }) });
      const client = fromNodeMessagePort(channel.port2);
      const samples = fc.sample(hostilePayload, { numRuns: 10_000, seed: 7 });
      const { replies, sent } = await fire(client, samples);

      const { wrong, errors } = judge(replies, sent);
      expect(wrong).toEqual([]);
      expect(errors).toBeGreaterThan(sent.length * 0.6);
      expect(replies.get('health')?.[0]?.result?.data).toMatchObject({ ok: true, degraded: [] });
      expect(snapshot(dbPath)).toBe(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      await vi.waitFor(() => expect(server.activeSubscriptions()).toBe(0));
      client.close();
    } finally {
      await service.stop({ timeoutMs: 1_000 });
    }
  });

  it('a sample through the real child process: typed errors, still healthy, database unchanged', { timeout: 120_000 }, async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'tasks.db');
    const svc = startService({ dbPath });
    await svc.ready;
    const setup = svc.client();
    await setup.queue.pause.mutate();
    await setup.tasks.create.mutate({ type: 'fx-steps', input: { dir, steps: 1, stepMs: 1 } });
    const before = snapshot(dbPath);

    const samples = fc.sample(hostilePayload, { numRuns: 800, seed: 11 });
    const { replies, sent } = await fire(svc.host.connect(), samples);
    const { wrong } = judge(replies, sent);
    expect(wrong).toEqual([]);
    expect(replies.get('health')?.[0]?.result?.data).toMatchObject({ ok: true, degraded: [] });
    expect(snapshot(dbPath)).toBe(before);
    // The process is still up and serving new connections.
    expect(await svc.client().service.health.query()).toMatchObject({ ok: true });
    expect(svc.logs.filter((l) => l.level === 'error')).toEqual([]);
  });
});
