import { afterEach, describe, expect, it } from 'vitest';
import type { WatchItem } from '../src/task-service/engine/watch';
import { cleanup, noop, startService, waitFor } from './support/engine-harness';

afterEach(cleanup);

describe('a slow watch consumer', () => {
  it('is ended with CONFLICT watch-overflow once its backlog passes the cap; resubscribing from lastEventId fills the gap', async () => {
    const svc = await startService({ tasks: [noop], watchBacklog: 50 });
    svc.queuePause(); // only 'created' events: one per task, easy to count
    const w = svc.watch({});
    const seen: number[] = [];
    svc.create({ type: 'noop', input: {} });
    const first = await w.next();
    seen.push((first.value as WatchItem).seq);
    // The consumer stops reading; 60 more events arrive.
    for (let i = 0; i < 60; i++) svc.create({ type: 'noop', input: {} });
    expect(svc.stats().watchers).toBe(0); // ended, not leaked
    const err = await w.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'CONFLICT', details: { reason: 'watch-overflow', lastEventId: seen[0], maxBacklog: 50 } });
    expect(String((err as Error).message)).toMatch(/resubscribe with lastEventId/);
    expect(await w.next()).toEqual({ value: undefined, done: true });

    const lastEventId = (err as { details: { lastEventId: number } }).details.lastEventId;
    const again = svc.watch({ afterSeq: lastEventId });
    const lastSeq = svc.store.lastSeq();
    while (seen[seen.length - 1] !== lastSeq) {
      const r = await again.next();
      if (r.done) break;
      if (r.value.change.kind === 'event') seen.push(r.value.seq);
    }
    again.close();
    expect(seen).toEqual(Array.from({ length: lastSeq - seen[0]! + 1 }, (_, i) => seen[0]! + i));
    await waitFor(() => svc.stats().watchers === 0, 'no watchers');
  });

  it('a consumer that keeps up is never ended, however many events pass', async () => {
    const svc = await startService({ tasks: [noop], watchBacklog: 10 });
    svc.queuePause();
    const w = svc.watch({});
    let got = 0;
    for (let i = 0; i < 100; i++) {
      svc.create({ type: 'noop', input: {} });
      const r = await w.next();
      if (!r.done) got++;
    }
    w.close();
    expect(got).toBe(100);
  });
});
