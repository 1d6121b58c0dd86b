import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, noop, startService, waitState } from './support/engine-harness';

/** Regression: tasks.events for an id that names no task answered an empty page instead of NOT_FOUND. */

afterEach(cleanup);

describe('tasks.events', () => {
  it('is NOT_FOUND for an unknown id; a known task paged past its end is an empty page', async () => {
    const svc = await startService({ tasks: [noop] });
    expect(() => svc.events({ id: 'no-such-task' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));

    const t = svc.create({ type: 'noop', input: {} });
    await waitState(svc, t.id, 'completed');
    const all = svc.events({ id: t.id, limit: 100 });
    expect(all.items.length).toBeGreaterThan(0);
    const last = svc.events({ id: t.id, limit: all.items.length - 1 });
    expect(svc.events({ id: t.id, cursor: last.nextCursor!, limit: 5 }).items).toHaveLength(1);

    // A removed task is not unknown: its 'removed' tombstone says what became of it.
    svc.remove({ id: t.id });
    expect(svc.events({ id: t.id }).items.map((e) => e.kind)).toEqual(['removed']);
  });
});
