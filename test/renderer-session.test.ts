import { describe, expect, it, vi } from 'vitest';
import type { QueueStatsView, ServiceClient, WatchHandlers } from '../src/renderer/client';
import { Session } from '../src/renderer/session';
import { PortClosedError } from '../src/shared/port/connection';
import { ServiceError } from '../src/shared/errors';
import { TASK_STATES, type Page, type Task, type TaskChange, type TaskEvent } from '../src/shared/task';

function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id, type: 'video-download', title: id, state: 'queued', priority: 0, parentId: null, spawnKey: null,
    dependsOn: [], input: {}, result: null, error: null, progress: null, attempt: 0, runs: 0, maxAttempts: 3,
    runAt: 0, dedupeKey: null, createdAt: 1, startedAt: null, finishedAt: null, updatedAt: 1, ...over,
  };
}

/** A service stand-in holding tasks in memory; `fail` makes the next call throw. */
class FakeService implements ServiceClient {
  tasks: Task[] = [];
  watchers: WatchHandlers[] = [];
  fail: unknown = null;
  lists = 0;
  private take<T>(value: T): Promise<T> {
    const f = this.fail;
    this.fail = null;
    return f ? Promise.reject(f) : Promise.resolve(value);
  }
  list = async (): Promise<Page<Task>> => (this.lists++, this.take({ items: [...this.tasks], nextCursor: null }));
  events = async (_req?: { cursor?: string; limit?: number }): Promise<Page<TaskEvent>> => this.take({ items: [], nextCursor: null });
  creates: Array<{ dedupeKey?: string }> = [];
  create = async (req: { title?: string; dedupeKey?: string }) => {
    this.creates.push(req);
    const t = task(`t${this.tasks.length + 1}`, { title: req.title ?? '' });
    await this.take(null);
    this.tasks.push(t);
    return t;
  };
  act = async (_a: string, id: string) => this.take(this.tasks.find((t) => t.id === id)!);
  queuePaused = false;
  online = true;
  queuePause = async () => ((this.queuePaused = true), this.take(this.snapshot()));
  queueResume = async () => ((this.queuePaused = false), this.take(this.snapshot()));
  stats = async () => this.take(this.snapshot());
  private snapshot(): QueueStatsView {
    const byState = Object.fromEntries(TASK_STATES.map((s) => [s, this.tasks.filter((t) => t.state === s).length])) as QueueStatsView['byState'];
    return { byState, byType: {}, running: 0, busySlots: 0, queuePaused: this.queuePaused, concurrency: { global: 6, perType: {} }, throughputPerMinute: 0, watchers: this.watchers.length, network: { online: this.online, types: ['video-download'], waiting: 0, reason: 'waiting for network' } };
  }
  watch(_o: { lastEventId?: string }, h: WatchHandlers) {
    this.watchers.push(h);
    return () => {};
  }
}

describe('Session', () => {
  // Issue 10 #13: an outage is no task event; the session re-reads the stats while live and
  // repaints the rows when the host's connectivity flips.
  it('learns from the polled stats that network task types wait while the host is offline', async () => {
    vi.useFakeTimers();
    try {
      const svc = new FakeService();
      svc.tasks = [task('a')];
      const s = new Session(svc);
      const changes: boolean[] = [];
      s.onDirty((d) => changes.push(d.structure));
      await s.start();
      expect(s.offlineTypes.size).toBe(0);
      svc.online = false;
      await vi.advanceTimersByTimeAsync(7_000);
      expect([...s.offlineTypes]).toEqual(['video-download']);
      expect(changes).toContain(true);
      svc.online = true;
      await vi.advanceTimersByTimeAsync(7_000);
      expect(s.offlineTypes.size).toBe(0);
      s.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('loads, goes live, and applies watched changes', async () => {
    const svc = new FakeService();
    svc.tasks = [task('a')];
    const s = new Session(svc);
    await s.start();
    expect(s.status.kind).toBe('live');
    expect([...s.model.tasks.keys()]).toEqual(['a']);
    const change: TaskChange = { kind: 'event', event: { seq: 5, taskId: 'a', kind: 'state', from: 'queued', to: 'running', data: null, at: 2 }, task: task('a', { state: 'running', updatedAt: 2 }) };
    svc.watchers[0]!.onChange(change, '5');
    expect(s.model.tasks.get('a')!.state).toBe('running');
    expect(s.model.lastSeq).toBe('5');
  });

  it('shows a failed call as a sentence with the service message as detail, and clears it on the next success', async () => {
    const svc = new FakeService();
    const s = new Session(svc);
    await s.start();
    svc.fail = new ServiceError('BAD_INPUT', 'url must be an http:// or https:// address');
    expect(await s.create({ type: 'video-download', input: { url: 'nope' } })).toBe(false);
    expect(s.alert).toBe('Please enter a web address starting with http:// or https://.');
    expect(s.alertDetail).toBe('BAD_INPUT: url must be an http:// or https:// address');
    expect(s.model.tasks.size).toBe(0);
    expect(await s.create({ type: 'video-download', input: { url: 'http://x' }, title: 'x' })).toBe(true);
    expect(s.alert).toBeNull();
    expect(s.model.tasks.size).toBe(1);
  });

  it('treats a dropped port as reconnecting (no alert), then re-lists when live again', async () => {
    const svc = new FakeService();
    const s = new Session(svc);
    await s.start();
    svc.fail = new PortClosedError('The service port closed');
    await s.act('cancel', 'x');
    expect(s.alert).toBeNull();
    expect(s.status.kind).toBe('reconnecting');
    svc.tasks = [task('b')];
    const before = svc.lists;
    svc.watchers[0]!.onState('live');
    await new Promise((r) => setImmediate(r));
    expect(s.status.kind).toBe('live');
    expect(svc.lists).toBe(before + 1);
    expect(s.model.tasks.has('b')).toBe(true);
  });

  // Regression: the page showed Live as soon as the watch was re-sent, and then stayed
  // "Reconnecting…" for good once resumed subscriptions stopped reporting `started`.
  it('after a drop, goes live only when the service answers on the new port', async () => {
    const svc = new FakeService();
    const s = new Session(svc);
    await s.start();
    svc.watchers[0]!.onState('reconnecting');
    expect(s.status.kind).toBe('reconnecting');
    svc.fail = new PortClosedError('The service port closed'); // this port closed again at once
    svc.watchers[0]!.onState('live');
    await new Promise((r) => setImmediate(r));
    expect(s.status.kind).toBe('reconnecting');
    expect(s.alert).toBeNull();
    svc.watchers[0]!.onState('live');
    await new Promise((r) => setImmediate(r));
    expect(s.status.kind).toBe('live');
  });

  it("extends the open task's history live from the watch, without duplicating listed events", async () => {
    const svc = new FakeService();
    svc.tasks = [task('a', { state: 'running' })];
    const ev = (seq: number, taskId = 'a'): TaskEvent => ({ seq, taskId, kind: 'checkpoint', from: null, to: null, data: { bytes: seq }, at: seq });
    svc.events = async () => ({ items: [ev(1), ev(2)], nextCursor: null });
    const s = new Session(svc);
    await s.start();
    await s.select('a');
    const change = (e: TaskEvent): TaskChange => ({ kind: 'event', event: e, task: svc.tasks[0]! });
    svc.watchers[0]!.onChange(change(ev(2)), '2'); // replayed: already listed
    svc.watchers[0]!.onChange(change(ev(3, 'other')), '3');
    svc.watchers[0]!.onChange(change(ev(4)), '4');
    expect(s.history.map((e) => e.seq)).toEqual([1, 2, 4]);
  });

  it('shows why when the service gave up', async () => {
    const s = new Session(new FakeService());
    await s.start();
    s.serviceStatus('gave-up', 'The task service crashed 5 times within 60 s');
    expect(s.status).toEqual({ kind: 'gave-up', message: 'The task service crashed 5 times within 60 s' });
    s.serviceStatus('restarting', null);
    expect(s.status.kind).toBe('gave-up');
  });

  // Regression: a form submitted while the service restarted was silently lost.
  it('sends a request cut off by a restart again once live, with the same dedupeKey', async () => {
    const svc = new FakeService();
    const s = new Session(svc);
    await s.start();
    svc.fail = new PortClosedError('The service port closed');
    expect(await s.create({ type: 'video-download', input: { url: 'http://x' }, title: 'x' })).toBe(false);
    expect(s.status.kind).toBe('reconnecting');
    expect(s.online).toBe(false);
    expect(s.unsent).toHaveLength(1);
    expect(s.alert).toBeNull();
    svc.watchers[0]!.onState('live');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(s.unsent).toHaveLength(0);
    expect(svc.creates).toHaveLength(2);
    expect(svc.creates[1]!.dedupeKey).toBe(svc.creates[0]!.dedupeKey);
    expect(svc.creates[0]!.dedupeKey).toMatch(/^submit-/);
    expect(s.model.tasks.size).toBe(1);
  });

  it('shows another instance holding the data as locked, for good', async () => {
    const s = new Session(new FakeService());
    await s.start();
    s.serviceStatus('gave-up', 'The task service could not start: SERVICE_LOCKED: another service owns tasks.db');
    expect(s.status.kind).toBe('locked');
    s.serviceStatus('restarting', null);
    expect(s.status.kind).toBe('locked');
    const svc = new FakeService();
    const s2 = new Session(svc);
    await s2.start();
    svc.fail = new ServiceError('SERVICE_LOCKED', 'Ownership lost');
    await s2.act('pause', 'x');
    expect(s2.status.kind).toBe('locked');
  });

  it('pages through the whole journal of the selected task', async () => {
    const svc = new FakeService();
    svc.tasks = [task('a', { state: 'running' })];
    const all: TaskEvent[] = Array.from({ length: 450 }, (_, i) => ({ seq: i + 1, taskId: 'a', kind: 'checkpoint', from: null, to: null, data: null, at: i }));
    svc.events = async (req = {}) => {
      const start = req.cursor ? Number(req.cursor) : 0;
      const items = all.slice(start, start + (req.limit ?? 200));
      return { items, nextCursor: start + items.length < all.length ? String(start + items.length) : null };
    };
    const s = new Session(svc);
    await s.start();
    await s.select('a');
    expect(s.history).toHaveLength(200);
    expect(s.historyMore).toBe(true);
    await s.loadMoreHistory();
    await s.loadMoreHistory();
    expect(s.history.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
    expect(s.historyMore).toBe(false);
    // At the end of the journal the history follows the watch live again.
    const next: TaskEvent = { seq: 451, taskId: 'a', kind: 'checkpoint', from: null, to: null, data: null, at: 451 };
    svc.watchers[0]!.onChange({ kind: 'event', event: next, task: svc.tasks[0]! }, '451');
    expect(s.history).toHaveLength(451);
  });
});
