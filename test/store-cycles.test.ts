import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GraphNode } from '../src/shared/schemas';
import { orderOrCycle } from '../src/task-service/store/cycles';
import { errorOf, snapshot, tmpStore } from './support/store-fixture';

const node = (key: string, dependsOn: string[] = []): GraphNode => ({ key, type: 'x', input: null, dependsOn });

function chain(n: number): GraphNode[] {
  return Array.from({ length: n }, (_, i) => node(`t${i}`, i === 0 ? [] : [`t${i - 1}`]));
}

describe('dependency cycles', () => {
  it('refuses self-dependency with DEPENDENCY_CYCLE naming it', () => {
    const store = tmpStore();
    const before = snapshot(store);
    const e = errorOf(() => store.createGraph({ tasks: [node('a', ['a'])] }, 1));
    expect(e.code).toBe('DEPENDENCY_CYCLE');
    expect(e.details?.cycle).toEqual(['a', 'a']);
    expect(e.message).toContain('a -> a');
    expect(snapshot(store)).toBe(before);
  });

  it('names the cycle path among other nodes', () => {
    const store = tmpStore();
    const e = errorOf(() =>
      store.createGraph({ tasks: [node('root'), node('a', ['root', 'c']), node('b', ['a']), node('c', ['b'])] }, 1),
    );
    expect(e.code).toBe('DEPENDENCY_CYCLE');
    expect(e.details?.cycle).toEqual(['a', 'c', 'b', 'a']);
  });

  it('accepts a chain of 10,000 tasks and refuses it closed into a loop, without stack overflow', () => {
    const store = tmpStore();
    const created = store.createGraph({ tasks: chain(10_000) }, 1);
    expect(created).toHaveLength(10_000);
    expect(created[9_999]!.task.dependsOn).toEqual([created[9_998]!.task.id]);
    expect(created.filter((c) => c.task.state === 'queued')).toHaveLength(1);

    const looped = chain(10_000);
    looped[0] = node('t0', ['t9999']);
    const before = snapshot(store);
    const e = errorOf(() => store.createGraph({ tasks: looped }, 2));
    expect(e.code).toBe('DEPENDENCY_CYCLE');
    expect((e.details?.cycle as string[]).length).toBe(10_001);
    expect(e.message).toMatch(/\(9989 more\)/);
    expect(snapshot(store)).toBe(before);
  });

  it('cancelling the head of a 10,000 chain cascades to every dependent', () => {
    const store = tmpStore();
    const created = store.createGraph({ tasks: chain(10_000) }, 1);
    const result = store.transition(created[0]!.task.id, 'cancelled', 2);
    expect(result.affected).toHaveLength(9_999);
    expect(store.get(created[9_999]!.task.id)).toMatchObject({ state: 'cancelled', error: { code: 'DEPENDENCY_FAILED' } });
  });

  it('follows existing edges too (a cycle through existing tasks is found by the search)', () => {
    // The store cannot build such a graph today (old tasks never point at new ones), so the
    // search itself is checked: batch node 0 -> existing X -> existing Y -> batch node 0.
    const edges = new Map<string | number, Array<string | number>>([[0, ['X']], ['X', ['Y']], ['Y', [0]]]);
    const r = orderOrCycle<string | number>([0], (n) => edges.get(n) ?? []);
    expect(r.cycle).toEqual([0, 'X', 'Y', 0]);
  });

  it('property: random DAGs in any order are accepted, each dependency inserted before its dependents', () => {
    const store = tmpStore();
    const dag = fc.integer({ min: 1, max: 40 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        pairs: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 3 }),
        order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      }),
    );
    let round = 0;
    fc.assert(
      fc.property(dag, ({ n, pairs, order }) => {
        round++;
        const key = (i: number) => `r${round}n${i}`;
        const deps = Array.from({ length: n }, () => new Set<number>());
        for (const [a, b] of pairs) if (a > b) deps[a]!.add(b); // edges only to lower indexes: acyclic
        const tasks = order.map((i) => node(key(i), [...deps[i]!].map(key)));
        const created = store.createGraph({ tasks }, 1);
        const idByKey = new Map(created.map((c, i) => [tasks[i]!.key, c.task.id]));
        created.forEach((c, i) => {
          const expected = tasks[i]!.dependsOn!.map((k) => idByKey.get(k)!).sort();
          expect(c.task.dependsOn).toEqual(expected);
          // ids are time-sortable and monotonic, so id order is insertion order
          for (const dep of c.task.dependsOn) expect(dep < c.task.id).toBe(true);
          expect(c.task.state).toBe(expected.length === 0 ? 'queued' : 'blocked');
        });
      }),
      { numRuns: 60 },
    );
  });

  it('property: a random DAG plus one back-edge along a path is refused and writes nothing', () => {
    const store = tmpStore();
    const gen = fc.integer({ min: 2, max: 40 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        pairs: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2 }),
        path: fc.uniqueArray(fc.nat(n - 1), { minLength: 1, maxLength: Math.min(n, 8) }),
      }),
    );
    const before = snapshot(store);
    fc.assert(
      fc.property(gen, ({ n, pairs, path }) => {
        const deps = Array.from({ length: n }, () => new Set<number>());
        for (const [a, b] of pairs) if (a > b) deps[a]!.add(b);
        const desc = [...path].sort((a, b) => b - a); // a downward path ... then close it upward
        for (let i = 0; i + 1 < desc.length; i++) deps[desc[i]!]!.add(desc[i + 1]!);
        deps[desc[desc.length - 1]!]!.add(desc[0]!); // the back-edge (a self-loop when the path has one node)
        const tasks = deps.map((d, i) => node(`n${i}`, [...d].map((j) => `n${j}`)));
        const e = errorOf(() => store.createGraph({ tasks }, 1));
        expect(e.code).toBe('DEPENDENCY_CYCLE');
        const cycle = e.details?.cycle as string[];
        expect(cycle[0]).toBe(cycle[cycle.length - 1]);
        for (let i = 0; i + 1 < cycle.length; i++) {
          const from = Number(cycle[i]!.slice(1));
          expect(deps[from]!.has(Number(cycle[i + 1]!.slice(1)))).toBe(true); // every step is a real edge
        }
      }),
      { numRuns: 100 },
    );
    expect(snapshot(store)).toBe(before);
  });
});
