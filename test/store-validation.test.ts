import { describe, expect, it } from 'vitest';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import { errorOf, snapshot, tmpStore } from './support/store-fixture';

/**
 * Bad input of any shape reaching the store's raw entry points (create, createGraph, spawn)
 * is BAD_INPUT with the offending path in the message, and the database is byte-for-byte
 * unchanged (compared as a digest of every row).
 */

type Call = (store: SqliteTaskStore, parentId: string) => unknown;
const big = 'x'.repeat(1024 * 1024);

const cases: Array<[string, Call, RegExp]> = [
  ['type is a number', (s) => s.create({ type: 42, input: 1 } as never, 1), /type/],
  ['type is not lower-case words', (s) => s.create({ type: 'Video Download', input: 1 }, 1), /type/],
  ['priority is a string', (s) => s.create({ type: 'x', input: 1, priority: '9' } as never, 1), /priority/],
  ['priority is fractional', (s) => s.create({ type: 'x', input: 1, priority: 1.5 }, 1), /priority/],
  ['dependsOn is a string', (s) => s.create({ type: 'x', input: 1, dependsOn: 'abc' } as never, 1), /dependsOn/],
  ['runAt is negative', (s) => s.create({ type: 'x', input: 1, runAt: -1 }, 1), /runAt/],
  ['request is null', (s) => s.create(null as never, 1), /object/],
  ['request is an array', (s) => s.create([] as never, 1), /Invalid task/],
  ['input over 1 MiB', (s) => s.create({ type: 'x', input: { blob: big } }, 1), /input.*bytes/],
  ['input nested too deep', (s) => s.create({ type: 'x', input: JSON.parse('['.repeat(100) + ']'.repeat(100)) }, 1), /deeper/],
  ['input holds a function', (s) => s.create({ type: 'x', input: { f: () => 1 } }, 1), /function/],
  ['input holds NaN', (s) => s.create({ type: 'x', input: [Number.NaN] }, 1), /non-finite/],
  ['input holds a Date', (s) => s.create({ type: 'x', input: { d: new Date(0) } }, 1), /non-plain/],
  ['title over 500 characters', (s) => s.create({ type: 'x', input: 1, title: 't'.repeat(501) }, 1), /title/],
  ['unknown field', (s) => s.create({ type: 'x', input: 1, colour: 'red' } as never, 1), /colour/],
  ['__proto__ key in the request', (s) => s.create(JSON.parse('{"type":"x","input":1,"__proto__":{"state":"completed"}}'), 1), /__proto__/],
  ['__proto__ key inside input', (s) => s.create(JSON.parse('{"type":"x","input":{"a":{"__proto__":{"polluted":true}}}}'), 1), /__proto__/],
  ['constructor key inside input', (s) => s.create(JSON.parse('{"type":"x","input":{"constructor":{"prototype":{}}}}'), 1), /constructor/],
  ['spawnKey is a number', (s) => s.create({ type: 'x', input: 1, spawnKey: 7 } as never, 1), /spawnKey/],
  ['graph: empty', (s) => s.createGraph({ tasks: [] }, 1), /tasks/],
  ['graph: not an array', (s) => s.createGraph({ tasks: 'many' } as never, 1), /tasks/],
  ['graph: over 10,000 tasks', (s) => s.createGraph({ tasks: Array.from({ length: 10_001 }, (_, i) => ({ key: `k${i}`, type: 'x', input: 1 })) }, 1), /tasks/],
  ['graph: node missing key (after a valid one)', (s) => s.createGraph({ tasks: [{ key: 'a', type: 'x', input: 1 }, { type: 'x', input: 1 }] } as never, 1), /tasks\.1\.key/],
  ['graph: unknown field in a node', (s) => s.createGraph({ tasks: [{ key: 'a', type: 'x', input: 1, extra: true }] } as never, 1), /tasks\.0/],
  ['graph: __proto__ in a node', (s) => s.createGraph(JSON.parse('{"tasks":[{"key":"a","type":"x","input":1,"__proto__":{}}]}'), 1), /__proto__/],
  ['spawn: child with bad type', (s, p) => s.spawn(p, [{ type: 'x', input: 1, key: 'ok' }, { type: '', input: 1, key: 'bad' }] as never, 1), /1\.type/],
  ['spawn: oversized child input', (s, p) => s.spawn(p, [{ type: 'x', input: big, key: 'k' }], 1), /bytes/],
];

describe('bad input is BAD_INPUT and leaves the database unchanged', () => {
  for (const [name, call, message] of cases) {
    it(name, () => {
      const store = tmpStore();
      store.create({ type: 'x', input: 'existing', dedupeKey: 'd' }, 0);
      const parent = store.create({ type: 'p', input: null }, 0).task;
      store.transition(parent.id, 'running', 0);
      const before = snapshot(store);
      const e = errorOf(() => call(store, parent.id));
      expect(e.code).toBe('BAD_INPUT');
      expect(e.message).toMatch(message);
      expect(snapshot(store)).toBe(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('a bad list cursor or filter is BAD_INPUT', () => {
    const store = tmpStore();
    expect(errorOf(() => store.list({ cursor: 'not-a-cursor' })).code).toBe('BAD_INPUT');
    expect(errorOf(() => store.list({ states: ['done'] } as never)).code).toBe('BAD_INPUT');
    expect(errorOf(() => store.list({ limit: 0 })).code).toBe('BAD_INPUT');
    expect(errorOf(() => store.events('x', 'bogus')).code).toBe('BAD_INPUT');
  });

  it('a checkpoint that is not plain JSON is BAD_INPUT and not saved', () => {
    const store = tmpStore();
    const id = store.create({ type: 'x', input: 1 }, 0).task.id;
    const before = snapshot(store);
    expect(errorOf(() => store.saveCheckpoint(id, { n: 10n }, 1)).code).toBe('BAD_INPUT');
    expect(snapshot(store)).toBe(before);
  });
});
