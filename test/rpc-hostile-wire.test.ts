import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WIRE_LIMITS } from '../src/shared/port/guard';
import type { RpcPort } from '../src/shared/port/types';
import { tmpDir } from './support/tmp';
import { killAll, startService } from './support/service-process';

/**
 * Issue 10, "ways in" 1, 4 and 5, end to end: hostile messages posted on a port of the REAL
 * service process under the Node host (the same IPC path the web dev host pipes into). The
 * service answers each with a typed error, writes nothing, and stays up.
 */

afterEach(killAll);

type Reply = { id?: unknown; error?: { code: number; message: string; data: Record<string, unknown> }; result?: { type?: string; data?: unknown } };

function nested(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

function taskCount(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function collect(port: RpcPort): Map<unknown, Reply> {
  const replies = new Map<unknown, Reply>();
  port.onMessage((m) => replies.set((m as Reply).id, m as Reply));
  return replies;
}

async function started() {
  const dbPath = path.join(tmpDir(), 'tasks.db');
  const svc = startService({ dbPath });
  await svc.ready;
  return { svc, dbPath };
}

describe('hostile messages at the real service process', () => {
  it('a message nested 2,100 deep gets BAD_INPUT (with or without an id) and the service stays up', async () => {
    const { svc, dbPath } = await started();
    const port = svc.host.connect();
    const replies = collect(port);
    // The exact reproduction: no id at all, which crashed the service's IPC reader.
    port.postMessage(nested(2_100));
    port.postMessage({ id: 'deep', method: 'mutation', params: { path: 'tasks.create', input: { type: 'fx-steps', input: nested(2_100) } } });
    // Readable, but still beyond the wire's depth: refused by the same guard after decoding.
    port.postMessage({ id: 'deepish', method: 'mutation', params: { path: 'tasks.create', input: { type: 'fx-steps', input: nested(WIRE_LIMITS.depth + 1) } } });
    port.postMessage({ id: 'probe', method: 'query', params: { path: 'service.health' } });
    await vi.waitFor(() => expect(replies.has('probe')).toBe(true), { timeout: 20_000 });
    await vi.waitFor(() => expect(replies.has('deepish')).toBe(true));
    for (const id of ['deep', 'deepish']) {
      expect(replies.get(id)?.error?.data.serviceCode).toBe('BAD_INPUT');
      expect(replies.get(id)?.error?.message).toMatch(/nested|could not be read/);
    }
    expect(replies.get('probe')?.result?.data).toMatchObject({ ok: true });
    expect(svc.host.child.exitCode).toBeNull();
    expect(taskCount(dbPath)).toBe(0);
  });

  it('a message larger than the wire limit gets BAD_INPUT before it is read', async () => {
    const { svc, dbPath } = await started();
    const port = svc.host.connect();
    const replies = collect(port);
    const big = 'x'.repeat(WIRE_LIMITS.bytes + 1);
    port.postMessage({ id: 'big', method: 'mutation', params: { path: 'tasks.create', input: { type: 'fx-steps', input: { big } } } });
    await vi.waitFor(() => expect(replies.has('big')).toBe(true), { timeout: 20_000 });
    expect(replies.get('big')?.error?.data.serviceCode).toBe('BAD_INPUT');
    expect(replies.get('big')?.error?.message).toMatch(/larger than/);
    expect(taskCount(dbPath)).toBe(0);
  });

  it('error replies carry no stack nor source path, and a 5 MB unknown path is not echoed back (it was, three times)', async () => {
    const { svc } = await started();
    const port = svc.host.connect();
    const replies = collect(port);
    const path5mb = `x${'y'.repeat(5 * 1024 * 1024)}`;
    port.postMessage({ id: 'unknown', method: 'query', params: { path: path5mb } });
    port.postMessage({ id: 'missing', method: 'query', params: { path: 'tasks.get', input: { id: 'nope' } } });
    port.postMessage({ id: 'strict', method: 'mutation', params: { path: 'tasks.create', input: { type: 'fx-steps', input: {}, [`k${'z'.repeat(100_000)}`]: 1 } } });
    await vi.waitFor(() => expect(replies.size).toBe(3), { timeout: 20_000 });
    for (const reply of replies.values()) {
      const text = JSON.stringify(reply);
      expect(reply.error?.data.stack).toBeUndefined();
      expect(text).not.toContain(process.cwd());
      expect(text).not.toMatch(/\.ts:\d+/);
      expect(text.length).toBeLessThan(10_000);
      expect(typeof reply.error?.data.serviceCode).toBe('string');
    }
    expect(replies.get('unknown')?.error?.data.serviceCode).toBe('NOT_FOUND');
    expect(replies.get('strict')?.error?.data.serviceCode).toBe('BAD_INPUT');
  });

  it('queue.pause and queue.resume refuse input (even 5 MB) with BAD_INPUT and change nothing', async () => {
    const { svc } = await started();
    const port = svc.host.connect();
    const replies = collect(port);
    port.postMessage({ id: 'pause', method: 'mutation', params: { path: 'queue.pause', input: 'p'.repeat(5 * 1024 * 1024) } });
    port.postMessage({ id: 'resume', method: 'mutation', params: { path: 'queue.resume', input: { any: 1 } } });
    port.postMessage({ id: 'health', method: 'query', params: { path: 'service.health', input: {} } });
    await vi.waitFor(() => expect(replies.size).toBe(3), { timeout: 20_000 });
    for (const id of ['pause', 'resume', 'health']) expect(replies.get(id)?.error?.data.serviceCode).toBe('BAD_INPUT');
    const client = svc.client();
    expect(await client.service.health.query()).toMatchObject({ queuePaused: false });
    await client.queue.pause.mutate();
    expect(await client.service.health.query()).toMatchObject({ queuePaused: true });
  });

  it('a port holds at most 100 subscriptions; the next gets a typed CONFLICT and other ports are unaffected', async () => {
    const { svc } = await started();
    const port = svc.host.connect();
    const replies = new Map<unknown, Reply[]>();
    port.onMessage((m) => replies.set((m as Reply).id, [...(replies.get((m as Reply).id) ?? []), m as Reply]));
    for (let i = 1; i <= 101; i++) port.postMessage({ id: i, method: 'subscription', params: { path: 'tasks.watch', input: {} } });
    await vi.waitFor(() => expect(replies.size).toBe(101), { timeout: 20_000 });
    const refused = [...replies.values()].filter((r) => r[0]?.error);
    expect(refused).toHaveLength(1);
    expect(refused[0]![0]!.error!.data).toMatchObject({ serviceCode: 'CONFLICT', details: { reason: 'too-many-subscriptions', limit: 100 } });
    // Another connection has its own allowance.
    const other = svc.host.connect();
    const otherReplies = collect(other);
    other.postMessage({ id: 'other', method: 'subscription', params: { path: 'tasks.watch', input: {} } });
    // (collect keeps the latest reply: 'started' is soon followed by the watch's first 'data'.)
    await vi.waitFor(() => expect(otherReplies.get('other')?.result?.type).toMatch(/^(started|data)$/));
    // Stopping one frees a place on this port.
    port.postMessage({ id: 1, method: 'subscription.stop' });
    await vi.waitFor(() => expect(replies.get(1)?.some((r) => r.result?.type === 'stopped')).toBe(true));
    port.postMessage({ id: 'again', method: 'subscription', params: { path: 'tasks.watch', input: {} } });
    await vi.waitFor(() => expect(replies.get('again')?.[0]?.result?.type).toBe('started'));
    expect(await svc.client().service.health.query()).toMatchObject({ ok: true });
  });

  it('the wire limit holds requests only: a reply larger than it (a page of big tasks) still reaches the client', async () => {
    const { svc } = await started();
    const client = svc.client();
    await client.queue.pause.mutate();
    const dir = 'd'.repeat(1024 * 1024 - 64);
    for (let i = 0; i < 9; i++) await client.tasks.create.mutate({ type: 'fx-crash', input: { dir } });
    const page = await client.tasks.list.query({ limit: 100 });
    expect(page.items).toHaveLength(9);
    expect(JSON.stringify(page).length).toBeGreaterThan(WIRE_LIMITS.bytes);
  }, 60_000);
});
