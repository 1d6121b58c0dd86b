import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { fromNodeMessagePort } from '../src/shared/port/adapters';
import { createPort, type CountedPort } from '../src/shared/port/create-port';
import { SUBSCRIPTION_WINDOW } from '../src/shared/port/protocol';
import type { RpcPort } from '../src/shared/port/types';
import type { TaskChange } from '../src/shared/task';
import { serveOnPort } from '../src/task-service/rpc/adapter';
import { createAppRouter } from '../src/task-service/rpc/router';
import { createTaskService, type TaskServiceOptions } from '../src/task-service/service';
import * as fixtureTasks from './fixtures/service/tasks';
import { tmpDir } from './support/tmp';
import { createServiceClient } from '../src/shared/client';

/**
 * tasks.watch over a real worker_threads MessageChannel, the real router and a real service on
 * a temp SQLite file, read by a client that handles one message per timer tick: far slower
 * than the service produces. Flow control must keep what the server has posted and not seen
 * acknowledged within one window, while the client still ends up with each task's latest
 * progress and every durable event of the journal exactly once (overflow resumes included).
 */

/** A client end that hands over one message per `setTimeout(delayMs)`: a consumer that falls behind. */
function slowPort(port: MessagePort, delayMs: number): CountedPort {
  return createPort({
    send: (m) => port.postMessage(m),
    listen(onMessage) {
      const queue: unknown[] = [];
      let timer: ReturnType<typeof setTimeout> | null = null;
      const drain = () => {
        timer = null;
        if (queue.length > 0) onMessage(queue.shift());
        if (queue.length > 0) timer = setTimeout(drain, delayMs);
      };
      const listener = (m: unknown) => {
        queue.push(m);
        timer ??= setTimeout(drain, delayMs);
      };
      port.on('message', listener);
      return () => {
        port.off('message', listener);
        if (timer) clearTimeout(timer);
      };
    },
    listenClose(onClose) {
      port.on('close', onClose);
      return () => port.off('close', onClose);
    },
    close: () => port.close(),
  });
}

/**
 * Counts, on the server's side of the wire, data messages posted and not yet acknowledged, per
 * subscription id; an id the server answered with `stopped` or an error is over and forgotten.
 */
function meteredPort(port: RpcPort) {
  const unacked = new Map<unknown, number>();
  const meter = { posted: 0, maxUnacked: 0, outstanding: () => [...unacked.values()].reduce((a, b) => a + b, 0) };
  const wrapped: RpcPort = {
    get closed() {
      return port.closed;
    },
    postMessage(m) {
      port.postMessage(m);
      const msg = m as { id?: unknown; result?: { type?: string }; error?: unknown };
      if (msg.result?.type === 'data') {
        meter.posted++;
        unacked.set(msg.id, (unacked.get(msg.id) ?? 0) + 1);
        meter.maxUnacked = Math.max(meter.maxUnacked, meter.outstanding());
      } else if (msg.result?.type === 'stopped' || msg.error) unacked.delete(msg.id);
    },
    onMessage(listener) {
      return port.onMessage((m) => {
        const msg = m as { id?: unknown; method?: string; params?: { count?: number } };
        const open = unacked.get(msg.id);
        if (msg.method === 'subscription.ack' && open !== undefined) unacked.set(msg.id, open - (msg.params?.count ?? 0));
        listener(m);
      });
    },
    onClose: (l) => port.onClose(l),
    close: () => port.close(),
  };
  return { port: wrapped, meter };
}

async function setup(opts: Partial<TaskServiceOptions>) {
  const dir = tmpDir('playlistify-watch-flow-');
  mkdirSync(path.join(dir, 'locks'));
  const dbPath = path.join(dir, 'tasks.db');
  const service = createTaskService({ dbPath, tasks: Object.values(fixtureTasks), concurrency: { global: 100 }, ...opts });
  await service.start();
  const channel = new MessageChannel();
  const { port: serverPort, meter } = meteredPort(fromNodeMessagePort(channel.port1));
  const server = serveOnPort({ router: createAppRouter(service), port: serverPort, createContext: () => ({ clientId: 'slow' }) });
  const clientPort = slowPort(channel.port2, 1);
  // Every request the client sends, to see resubscriptions on the wire.
  const requests: Array<{ method?: string; params?: { lastEventId?: string } }> = [];
  clientPort.postMessage = ((post) => (m: unknown) => {
    requests.push(m as (typeof requests)[number]);
    post(m);
  })(clientPort.postMessage);
  const client = createServiceClient({ port: clientPort }).trpc;

  const seen = { events: [] as number[], progress: new Map<string, number | null>(), ticks: 0, errors: [] as unknown[] };
  const sub = client.tasks.watch.subscribe(
    { lastEventId: '0' },
    {
      onData: ({ id, data }) => {
        const change = data as TaskChange;
        if (change.kind === 'event') seen.events.push(Number(id));
        else {
          seen.ticks++;
          seen.progress.set(change.taskId, change.progress.current);
        }
      },
      onError: (e) => seen.errors.push(e),
    },
  );
  /** Every journal seq, read from the file itself. */
  const journal = () => {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT seq FROM task_events ORDER BY seq').pluck().all() as number[]);
    } finally {
      db.close();
    }
  };
  onTestFinished(async () => {
    sub.unsubscribe();
    server.close();
    channel.port1.close();
    await service.stop({ timeoutMs: 1_000 });
  });
  return { service, server, meter, seen, requests, journal, dir };
}

describe('tasks.watch flow control over a real port', () => {
  it('keeps posted-but-unacked data within one window for a slow client, which still gets the latest progress of each task and every durable event once', async () => {
    const t = await setup({ progress: { emitMs: 10 } });
    // 40 tasks reporting every 2 ms, sent up to 100 times a second each: ~4,000 ticks/s
    // offered to a client that takes about one message per millisecond at best.
    const created = t.service.createGraph({
      tasks: Array.from({ length: 40 }, (_, i) => ({ key: `t${i}`, type: 'fx-ticker', title: `ticker ${i}`, input: { ms: 1_500, everyMs: 2 } })),
    });
    const ids = created.map((task) => task.id);
    await vi.waitFor(() => expect(ids.every((id) => t.service.get({ id }).state === 'completed')).toBe(true), { timeout: 20_000, interval: 50 });
    const journal = t.journal();
    await vi.waitFor(() => expect(t.seen.events.length).toBeGreaterThanOrEqual(journal.length), { timeout: 30_000, interval: 50 });
    // Flow control held the line while the client lagged (and the client did lag behind).
    expect(t.meter.maxUnacked).toBeLessThanOrEqual(SUBSCRIPTION_WINDOW);
    expect(t.meter.posted).toBeGreaterThan(SUBSCRIPTION_WINDOW * 2);
    // Every durable event exactly once, in journal order.
    expect(t.seen.events).toEqual(journal);
    // Each task's last progress seen becomes its final one: the count of reports it returned,
    // and what the database holds. (Ticks queue behind durable events, so they may land last.)
    const finals = new Map(ids.map((id) => [id, (t.service.get({ id }).result as { reports: number }).reports]));
    for (const id of ids) {
      expect(finals.get(id)).toBeGreaterThan(0);
      expect(t.service.get({ id }).progress?.current).toBe(finals.get(id));
    }
    await vi.waitFor(() => expect(new Map(ids.map((id) => [id, t.seen.progress.get(id)]))).toEqual(finals), { timeout: 30_000, interval: 50 });
    // Latest-value did its job: far fewer ticks crossed the port than the handlers reported.
    const reported = [...finals.values()].reduce((a, b) => a + b, 0);
    expect(t.seen.ticks).toBeLessThan(reported);
    expect(t.seen.errors).toEqual([]);
    // Once the client is idle its remainder is acknowledged: nothing left outstanding.
    await vi.waitFor(() => expect(t.server.unackedMessages()).toBe(0));
    expect(t.meter.outstanding()).toBe(0);
  });

  it('resubscribes from lastEventId when the service ends a watch that fell behind (watch-overflow): no event lost or repeated, no error seen', async () => {
    const t = await setup({ watchBacklog: 20 });
    // Checkpoint per step: a burst of durable events, far more than 20 beyond the window.
    const created = t.service.createGraph({
      tasks: Array.from({ length: 60 }, (_, i) => ({ key: `s${i}`, type: 'fx-steps', title: `steps ${i}`, input: { dir: t.dir, steps: 5, stepMs: 1 } })),
    });
    await vi.waitFor(() => expect(created.every((task) => t.service.get({ id: task.id }).state === 'completed')).toBe(true), { timeout: 20_000, interval: 50 });
    const journal = t.journal();
    await vi.waitFor(() => expect(t.seen.events.length).toBeGreaterThanOrEqual(journal.length), { timeout: 30_000, interval: 50 });
    expect(t.seen.events).toEqual(journal);
    expect(t.seen.errors).toEqual([]);
    // The overflow really happened: the watch was sent again, from a point in the journal.
    const resends = t.requests.filter((m) => m.method === 'subscription').slice(1);
    expect(resends.length).toBeGreaterThan(0);
    for (const m of resends) expect(Number(m.params?.lastEventId)).toBeGreaterThan(0);
    expect(t.meter.maxUnacked).toBeLessThanOrEqual(SUBSCRIPTION_WINDOW);
  });
});
