import { describe, expect, it } from 'vitest';
import { ServiceError } from '../src/shared/errors';
import { snapshot, tmpStore } from './support/store-fixture';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof ServiceError ? e.code : `not a ServiceError: ${String(e)}`;
  }
  return 'no error';
}

describe('TaskStore.create', () => {
  it('creates a queued task with defaults and journals its creation', () => {
    const store = tmpStore();
    const { task, deduplicated } = store.create({ type: 'video-download', input: { url: 'u' } }, 1000);
    expect(deduplicated).toBe(false);
    expect(task).toMatchObject({
      type: 'video-download', title: 'video-download', state: 'queued', priority: 0, parentId: null, dependsOn: [],
      input: { url: 'u' }, attempt: 0, runAt: 1000, createdAt: 1000, updatedAt: 1000, startedAt: null, finishedAt: null,
    });
    expect(store.get(task.id)).toEqual(task);
    expect(store.events(task.id).items).toMatchObject([{ kind: 'created', from: null, to: 'queued', at: 1000 }]);
  });

  it('starts blocked while a dependency is unfinished, queued when all are completed', () => {
    const store = tmpStore();
    const a = store.create({ type: 'x', input: 1 }, 1).task;
    const b = store.create({ type: 'x', input: 2 }, 1).task;
    expect(store.create({ type: 'x', input: 3, dependsOn: [a.id, b.id] }, 2).task.state).toBe('blocked');
    store.transition(a.id, 'running', 3);
    store.transition(a.id, 'completed', 4);
    const c = store.create({ type: 'x', input: 4, dependsOn: [a.id, a.id] }, 5).task;
    expect(c.state).toBe('queued');
    expect(c.dependsOn).toEqual([a.id]);
  });

  it('starts cancelled with DEPENDENCY_FAILED when a dependency already failed', () => {
    const store = tmpStore();
    const a = store.create({ type: 'x', input: 1 }, 1).task;
    store.transition(a.id, 'running', 2);
    store.transition(a.id, 'failed', 3, { error: { code: 'HTTP_ERROR', message: '404', retryable: false } });
    const c = store.create({ type: 'x', input: 2, dependsOn: [a.id] }, 4).task;
    expect(c.state).toBe('cancelled');
    expect(c.error?.code).toBe('DEPENDENCY_FAILED');
    expect(c.finishedAt).toBe(4);
    expect(store.get(c.id)).toEqual(c);
  });

  it('refuses unknown dependency and parent ids with NOT_FOUND, writing nothing', () => {
    const store = tmpStore();
    store.create({ type: 'x', input: 1 }, 1);
    const before = snapshot(store);
    expect(codeOf(() => store.create({ type: 'x', input: 1, dependsOn: ['NOPE'] }, 2))).toBe('NOT_FOUND');
    expect(codeOf(() => store.create({ type: 'x', input: 1, parentId: 'NOPE' }, 2))).toBe('NOT_FOUND');
    expect(snapshot(store)).toBe(before);
  });

  it('refuses a child under a finished parent with CONFLICT', () => {
    const store = tmpStore();
    const p = store.create({ type: 'x', input: 1 }, 1).task;
    store.transition(p.id, 'cancelled', 2);
    expect(codeOf(() => store.create({ type: 'x', input: 1, parentId: p.id }, 3))).toBe('CONFLICT');
  });
});

describe('dedupeKey', () => {
  it('returns the live task with deduplicated: true instead of creating another', () => {
    const store = tmpStore();
    const first = store.create({ type: 'x', input: 1, dedupeKey: 'video:42' }, 1);
    const before = snapshot(store);
    const again = store.create({ type: 'x', input: 'different', dedupeKey: 'video:42' }, 2);
    expect(again).toEqual({ task: first.task, deduplicated: true });
    expect(snapshot(store)).toBe(before);
  });

  it('frees the key once the task is terminal', () => {
    const store = tmpStore();
    const first = store.create({ type: 'x', input: 1, dedupeKey: 'k' }, 1).task;
    store.transition(first.id, 'cancelled', 2);
    const second = store.create({ type: 'x', input: 1, dedupeKey: 'k' }, 3);
    expect(second.deduplicated).toBe(false);
    expect(second.task.id).not.toBe(first.id);
  });

  it('a retry that would make two live tasks share a key is a CONFLICT', () => {
    const store = tmpStore();
    const first = store.create({ type: 'x', input: 1, dedupeKey: 'k' }, 1).task;
    store.transition(first.id, 'cancelled', 2);
    store.create({ type: 'x', input: 1, dedupeKey: 'k' }, 3);
    expect(codeOf(() => store.transition(first.id, 'queued', 4))).toBe('CONFLICT');
    expect(store.get(first.id).state).toBe('cancelled');
  });
});

describe('spawn', () => {
  it('is idempotent per (parent, key) and refuses non-running parents', () => {
    const store = tmpStore();
    const parent = store.create({ type: 'playlist-import', input: {} }, 1).task;
    expect(codeOf(() => store.spawn(parent.id, [{ type: 'x', input: 1, key: 'v1' }], 2))).toBe('CONFLICT');
    expect(codeOf(() => store.spawn('NOPE', [{ type: 'x', input: 1, key: 'v1' }], 2))).toBe('NOT_FOUND');
    store.transition(parent.id, 'running', 2);
    const first = store.spawn(parent.id, [{ type: 'x', input: 1, key: 'v1' }, { type: 'x', input: 2, key: 'v2' }], 3);
    expect(first.map((c) => c.deduplicated)).toEqual([false, false]);
    expect(first[0]!.task).toMatchObject({ parentId: parent.id, spawnKey: 'v1', state: 'queued' });
    // A re-run after a crash spawns the same keys again: same children, plus the new one.
    const again = store.spawn(parent.id, [{ type: 'x', input: 1, key: 'v1' }, { type: 'x', input: 3, key: 'v3' }], 4);
    expect(again[0]).toEqual({ task: first[0]!.task, deduplicated: true });
    expect(again[1]!.deduplicated).toBe(false);
    expect(store.children(parent.id).map((c) => c.spawnKey)).toEqual(['v1', 'v2', 'v3']);
  });

  it('the same spawn key under two parents makes two children', () => {
    const store = tmpStore();
    const p1 = store.create({ type: 'x', input: 1 }, 1).task;
    const p2 = store.create({ type: 'x', input: 2 }, 1).task;
    store.transition(p1.id, 'running', 2);
    store.transition(p2.id, 'running', 2);
    const a = store.spawn(p1.id, [{ type: 'x', input: 1, key: 'same' }], 3)[0]!.task;
    const b = store.spawn(p2.id, [{ type: 'x', input: 1, key: 'same' }], 3)[0]!.task;
    expect(a.id).not.toBe(b.id);
  });
});

describe('createGraph', () => {
  it('creates a batch atomically with key references and existing ids, in request order', () => {
    const store = tmpStore();
    const old = store.create({ type: 'x', input: 0 }, 1).task;
    const created = store.createGraph(
      {
        tasks: [
          { key: 'merge', type: 'x', input: 3, dependsOn: ['a', 'b'] },
          { key: 'a', type: 'x', input: 1, dependsOn: [old.id] },
          { key: 'b', type: 'x', input: 2 },
        ],
      },
      2,
    );
    const [merge, a, b] = created.map((c) => c.task);
    expect(merge!.dependsOn).toEqual([a!.id, b!.id].sort());
    expect(a!.dependsOn).toEqual([old.id]);
    expect([merge!.state, a!.state, b!.state]).toEqual(['blocked', 'blocked', 'queued']);
  });

  it('an unknown reference fails the whole batch with NOT_FOUND and writes nothing', () => {
    const store = tmpStore();
    const before = snapshot(store);
    const call = () => store.createGraph({ tasks: [{ key: 'a', type: 'x', input: 1 }, { key: 'b', type: 'x', input: 1, dependsOn: ['ghost'] }] }, 1);
    expect(codeOf(call)).toBe('NOT_FOUND');
    expect(() => call()).toThrow(/ghost/);
    expect(snapshot(store)).toBe(before);
  });

  it('a dedupe hit inside a graph links dependents to the existing task', () => {
    const store = tmpStore();
    const live = store.create({ type: 'x', input: 1, dedupeKey: 'shared' }, 1).task;
    const [a, b] = store.createGraph(
      { tasks: [{ key: 'a', type: 'x', input: 1, dedupeKey: 'shared' }, { key: 'b', type: 'x', input: 2, dependsOn: ['a'] }] },
      2,
    );
    expect(a).toEqual({ task: live, deduplicated: true });
    expect(b!.task.dependsOn).toEqual([live.id]);
  });

  it('refuses duplicate keys with BAD_INPUT', () => {
    const store = tmpStore();
    expect(codeOf(() => store.createGraph({ tasks: [{ key: 'a', type: 'x', input: 1 }, { key: 'a', type: 'x', input: 2 }] }, 1))).toBe('BAD_INPUT');
  });
});
