import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { defineTask, PermanentError } from '../src/task-service/engine/define';
import { cleanup, startService, waitFor, waitState } from './support/engine-harness';

afterEach(cleanup);

describe('dependencies', () => {
  it('random DAGs execute in an order that respects every edge', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 14 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2 })),
        ),
        async ([n, pairs]) => {
          // Edges only from a higher index to a lower one: acyclic by construction.
          const edges = pairs.filter(([a, b]) => a !== b).map(([a, b]) => (a > b ? [a, b] : [b, a]) as [number, number]);
          const order: number[] = [];
          const node = defineTask({
            type: 'node',
            input: z.object({ i: z.number() }),
            async run(ctx) {
              order.push(ctx.input.i);
              await new Promise((r) => setImmediate(r));
              return null;
            },
          });
          const svc = await startService({ tasks: [node], concurrency: { global: 4 } });
          svc.createGraph({
            tasks: Array.from({ length: n }, (_, i) => ({
              key: `n${i}`,
              type: 'node',
              input: { i },
              dependsOn: [...new Set(edges.filter(([a]) => a === i).map(([, b]) => `n${b}`))],
            })),
          });
          await waitFor(() => svc.stats().byState.completed === n, 'graph done');
          for (const [a, b] of edges) expect(order.indexOf(b)).toBeLessThan(order.indexOf(a));
          await cleanup();
        },
      ),
      { numRuns: 12 },
    );
  });

  it('refuses a cycle with DEPENDENCY_CYCLE, writing nothing', async () => {
    const node = defineTask({ type: 'node', input: z.object({}), async run() { return null; } });
    const svc = await startService({ tasks: [node] });
    expect(() =>
      svc.createGraph({ tasks: [{ key: 'a', type: 'node', input: {}, dependsOn: ['b'] }, { key: 'b', type: 'node', input: {}, dependsOn: ['a'] }] }),
    ).toThrow(expect.objectContaining({ code: 'DEPENDENCY_CYCLE' }));
    expect(svc.list({}).items).toHaveLength(0);
  });

  it('a failed dependency cancels its dependents', async () => {
    const bad = defineTask({ type: 'bad', input: z.object({}), async run() { throw new PermanentError('HTTP_ERROR', 'nope'); } });
    const node = defineTask({ type: 'node', input: z.object({}), async run() { return null; } });
    const svc = await startService({ tasks: [bad, node] });
    const [a, b, c] = svc.createGraph({
      tasks: [{ key: 'a', type: 'bad', input: {} }, { key: 'b', type: 'node', input: {}, dependsOn: ['a'] }, { key: 'c', type: 'node', input: {}, dependsOn: ['b'] }],
    });
    await waitState(svc, a!.id, 'failed');
    expect((await waitState(svc, b!.id, 'cancelled')).state).toBe('cancelled');
    expect((await waitState(svc, c!.id, 'cancelled')).state).toBe('cancelled');
  });
});

describe('parent and children', () => {
  const child = defineTask({
    type: 'child',
    input: z.object({ fail: z.boolean().default(false), i: z.number() }),
    maxAttempts: 1,
    async run(ctx) {
      ctx.progress({ ratio: 0.5 });
      if (ctx.input.fail && ctx.attempt === 1 && !failedOnce.has(ctx.task.id)) {
        failedOnce.add(ctx.task.id);
        throw new PermanentError('HTTP_ERROR', 'child failed');
      }
      return { i: ctx.input.i };
    },
  });
  const failedOnce = new Set<string>();
  let parentRuns = 0;
  const parent = defineTask({
    type: 'parent',
    input: z.object({ n: z.number(), failOne: z.boolean().default(false) }),
    async run(ctx) {
      parentRuns++;
      const kids = Array.from({ length: ctx.input.n }, (_, i) => ({ key: `c${i}`, type: 'child', input: { i, fail: ctx.input.failOne && i === 0 } }));
      const first = await ctx.spawn(kids);
      const again = await ctx.spawn(kids); // idempotent by key
      expect(again.map((t) => t.id)).toEqual(first.map((t) => t.id));
      return { spawned: first.length };
    },
  });

  it('waits for its children and completes when all complete', async () => {
    const svc = await startService({ tasks: [parent, child] });
    const p = svc.create({ type: 'parent', input: { n: 5 } });
    const done = await waitState(svc, p.id, 'completed');
    expect(done.result).toEqual({ spawned: 5 });
    expect(svc.list({ parentId: p.id }).items.map((c) => c.state)).toEqual(Array(5).fill('completed'));
    expect(svc.events({ id: p.id, limit: 100 }).items.map((e) => e.to)).toContain('waiting');
    expect(done.progress?.ratio).toBe(1);
  });

  it('fails with CHILDREN_FAILED; retrying the parent retries the failed child and completes', async () => {
    const svc = await startService({ tasks: [parent, child] });
    const p = svc.create({ type: 'parent', input: { n: 3, failOne: true } });
    const failed = await waitState(svc, p.id, 'failed');
    expect(failed.error?.code).toBe('CHILDREN_FAILED');
    const runsBefore = parentRuns;
    expect(svc.retry({ id: p.id }).state).toBe('waiting');
    const done = await waitState(svc, p.id, 'completed');
    expect(done.error).toBeNull();
    expect(parentRuns).toBe(runsBefore); // the parent's own work is not redone
  });
});
