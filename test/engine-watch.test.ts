import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from '../src/task-service/engine/define';
import type { WatchItem } from '../src/task-service/engine/watch';
import { cleanup, gate, noop, startService, waitFor, waitState } from './support/engine-harness';

afterEach(cleanup);

async function collect(it: AsyncIterator<WatchItem>, until: (items: WatchItem[]) => boolean): Promise<WatchItem[]> {
  const items: WatchItem[] = [];
  while (!until(items)) {
    const r = await it.next();
    if (r.done) break;
    items.push(r.value);
  }
  return items;
}

describe('watch', () => {
  it('replays the journal after afterSeq, then continues live with no gap and no duplicate', async () => {
    const svc = await startService({ tasks: [noop] });
    const first = Array.from({ length: 30 }, () => svc.create({ type: 'noop', input: {} }));
    await waitFor(() => svc.stats().byState.completed === 30, 'first batch');
    const w = svc.watch({ afterSeq: 0 });
    // Live writes race the replay: they must come after it, each seq exactly once.
    const more = Array.from({ length: 30 }, () => svc.create({ type: 'noop', input: {} }));
    await waitFor(() => svc.stats().byState.completed === 60, 'second batch');
    const lastSeq = svc.store.lastSeq();
    const items = await collect(w, (xs) => xs.some((x) => x.change.kind === 'event' && x.seq === lastSeq));
    w.close();
    const seqs = items.filter((x) => x.change.kind === 'event').map((x) => x.seq);
    expect(seqs).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    const ids = new Set(items.map((x) => (x.change.kind === 'event' ? x.change.event.taskId : x.change.taskId)));
    for (const t of [...first, ...more]) expect(ids.has(t.id)).toBe(true);
  });

  it('filters by ids, coalesces progress to latest values and ends without leaking listeners', async () => {
    let report: ((n: number) => void) | null = null;
    const g = gate('hold');
    const chatty = defineTask({
      type: 'chatty',
      input: z.object({}),
      async run(ctx) {
        report = (n) => ctx.progress({ current: n, total: 1000 });
        return g.def.run(ctx);
      },
    });
    const svc = await startService({ tasks: [chatty, noop], progress: { emitMs: 100, persistMs: 1_000 } });
    const t = svc.create({ type: 'chatty', input: {} });
    const other = svc.create({ type: 'noop', input: {} });
    const w = svc.watch({ ids: [t.id] });
    await waitFor(() => report !== null && g.started(t.id), 'running');
    for (let i = 1; i <= 1000; i++) report!(i); // one burst: at most one immediate tick and a trailing latest
    const ticks = await collect(w, (xs) => xs.some((x) => x.change.kind === 'progress' && x.change.progress.current === 1000));
    const progress = ticks.filter((x) => x.change.kind === 'progress');
    expect(progress.length).toBeLessThanOrEqual(3);
    expect(ticks.every((x) => (x.change.kind === 'event' ? x.change.event.taskId : x.change.taskId) === t.id)).toBe(true);
    await waitState(svc, other.id, 'completed');
    expect(svc.store.lastSeq()).toBeGreaterThan(0);
    expect(svc.stats().watchers).toBe(1);
    w.close();
    expect((await w.next()).done).toBe(true);
    expect(svc.stats().watchers).toBe(0);
    // for-await with break ends the subscription too
    const w2 = svc.watch({});
    svc.create({ type: 'noop', input: {} });
    expect(svc.stats().watchers).toBe(1);
    for await (const _ of w2) break;
    await svc.engine.whenIdle();
    expect(svc.stats().watchers).toBe(0);
    g.release(t.id);
  });
});
