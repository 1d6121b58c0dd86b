import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Task } from '../src/shared/task';
import type { SqliteTaskStore } from '../src/task-service/store/sqlite-store';
import type { SqlOp } from '../src/task-service/db/statement';
import { encodeCursor } from '../src/task-service/store/cursor';
import { tmpStore } from './support/store-fixture';

function all(store: SqliteTaskStore, req: Parameters<SqliteTaskStore['list']>[0]): Task[] {
  const out: Task[] = [];
  let cursor: string | undefined;
  do {
    const page = store.list({ ...req, ...(cursor === undefined ? {} : { cursor }) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

describe('TaskStore.list', () => {
  it('lists newest first and filters by states, types and parentId', () => {
    const store = tmpStore();
    const a = store.create({ type: 'video-download', input: 1 }, 1).task;
    const b = store.create({ type: 'playlist-import', input: 2 }, 2).task;
    store.transition(b.id, 'running', 3);
    const [c] = store.spawn(b.id, [{ type: 'video-download', input: 3, key: 'c' }], 4).map((x) => x.task);
    store.transition(a.id, 'paused', 5);
    const ids = (items: Task[]) => items.map((t) => t.id);
    expect(ids(store.list({}).items)).toEqual([c!.id, b.id, a.id]);
    expect(ids(store.list({ types: ['video-download'] }).items)).toEqual([c!.id, a.id]);
    expect(ids(store.list({ states: ['paused', 'running'] }).items)).toEqual([b.id, a.id]);
    expect(ids(store.list({ parentId: b.id }).items)).toEqual([c!.id]);
    expect(ids(store.list({ parentId: null }).items)).toEqual([b.id, a.id]);
    expect(ids(store.list({ states: ['queued'], types: ['video-download'], parentId: b.id }).items)).toEqual([c!.id]);
    expect(store.list({ states: [] }).items).toHaveLength(3); // empty filter = no filter
  });

  it('pages with an opaque cursor and ends with nextCursor null', () => {
    const store = tmpStore();
    for (let i = 0; i < 7; i++) store.create({ type: 'x', input: i }, i);
    const p1 = store.list({ limit: 3 });
    expect(p1.items.map((t) => t.input)).toEqual([6, 5, 4]);
    const p3 = store.list({ limit: 3, cursor: store.list({ limit: 3, cursor: p1.nextCursor! }).nextCursor! });
    expect(p3.items.map((t) => t.input)).toEqual([0]);
    expect(p3.nextCursor).toBeNull();
    expect(store.list({ limit: 7 }).nextCursor).toBeNull();
  });

  it('stays stable while tasks are inserted between pages: nothing seen twice, nothing skipped', () => {
    const store = tmpStore();
    const existing = new Set<string>();
    for (let i = 0; i < 95; i++) existing.add(store.create({ type: 'x', input: i }, i).task.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let inserted = 0;
    do {
      const page = store.list({ limit: 10, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
      for (let j = 0; j < 4; j++) store.create({ type: 'x', input: `new ${inserted++}` }, 1000); // arrive mid-listing
    } while (cursor !== undefined);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => existing.has(id)).sort()).toEqual([...existing].sort());
  });

  it('children, dependents and childSummary', () => {
    const store = tmpStore();
    const p = store.create({ type: 'p', input: 0 }, 1).task;
    store.transition(p.id, 'running', 2);
    const [c1, c2, c3] = store.spawn(p.id, ['a', 'b', 'c'].map((key) => ({ type: 'x', input: key, key })), 3).map((c) => c.task);
    store.saveProgress(c1!.id, { ratio: 0.5, message: null, current: 5, total: 10 }, 4);
    store.transition(c2!.id, 'running', 4);
    store.transition(c2!.id, 'completed', 5);
    expect(store.children(p.id).map((c) => c.id)).toEqual([c1!.id, c2!.id, c3!.id]);
    expect(store.childSummary(p.id)).toEqual({ total: 3, byState: { queued: 2, completed: 1 }, ratio: (0.5 + 1 + 0) / 3, tolerated: 0 });
    expect(store.childSummary('none')).toEqual({ total: 0, byState: {}, ratio: 0, tolerated: 0 });
    const d = store.create({ type: 'x', input: 'd', dependsOn: [c1!.id] }, 6).task;
    expect(store.get(d.id).dependsOn).toEqual([c1!.id]); // (TaskStore.dependents is gone: only this test used it)
    expect(all(store, { parentId: p.id })).toHaveLength(3);
  });

  it('stats counts by state and by type', () => {
    const store = tmpStore();
    store.create({ type: 'a', input: 1 }, 1);
    const t = store.create({ type: 'b', input: 1 }, 1).task;
    store.transition(t.id, 'cancelled', 2);
    const stats = store.stats();
    expect(stats.byState).toMatchObject({ queued: 1, cancelled: 1, running: 0 });
    expect(stats.byType).toEqual({ a: { queued: 1 }, b: { cancelled: 1 } });
  });

  it('stats follow what commits: a rolled-back write counts nothing, a savepoint rolled back inside a committed batch neither', () => {
    const store = tmpStore();
    const a = store.create({ type: 'a', input: 1 }, 1).task;
    expect(() =>
      store.batch(() => {
        store.create({ type: 'a', input: 2 }, 2);
        throw new Error('abandon the batch');
      }),
    ).toThrow(/abandon/);
    store.batch(() => {
      store.transition(a.id, 'running', 3);
      expect(() => store.transition(a.id, 'blocked', 4)).toThrow(); // illegal: its savepoint rolls back
      expect(store.stats().byState).toMatchObject({ queued: 0, running: 1 }); // read inside the write: the table
      store.create({ type: 'b', input: 3 }, 5);
    });
    const c = store.create({ type: 'c', input: 4 }, 6).task;
    store.transition(c.id, 'cancelled', 7);
    store.remove(c.id, 8); // a delete moves the counts too
    expect(store.stats().byType).toEqual({ a: { running: 1 }, b: { queued: 1 } });
  });

  it('stats see a write made by another connection (counted again)', () => {
    const store = tmpStore();
    store.create({ type: 'a', input: 1 }, 1);
    expect(store.stats().byState.queued).toBe(1);
    const other = new Database(store.db.name);
    other.prepare("UPDATE tasks SET state = 'paused'").run();
    other.close();
    expect(store.stats().byType).toEqual({ a: { paused: 1 } });
  });
});

describe('every list and scheduling query is served by an index', () => {
  /** The plan of each real statement the store prepares (sources taken from the SQL modules). */
  async function plans(): Promise<Map<string, string>> {
    const store = tmpStore();
    // shared SQL (db/sql) and SQL kept beside the one operation that uses it (store/*.sql.ts)
    const mods = { ...import.meta.glob('../src/task-service/db/sql/*.ts'), ...import.meta.glob('../src/task-service/store/*.sql.ts') };
    const out = new Map<string, string>();
    for (const load of Object.values(mods)) {
      for (const [name, op] of Object.entries((await load()) as Record<string, unknown>)) {
        if (typeof op !== 'function' || op.length !== 1) continue; // SqlOps take just the connection
        const stmt = (op as SqlOp)(store.db);
        const n = (stmt.source.match(/\?/g) ?? []).length;
        const named = Object.fromEntries([...stmt.source.matchAll(/@(\w+)/g)].map((m) => [m[1]!, 'x']));
        const args = Object.keys(named).length > 0 ? [named] : Array(n).fill('x');
        const rows = store.db.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(...args) as Array<{ detail: string }>;
        out.set(name, rows.map((r) => r.detail).join(' | '));
      }
    }
    // list shapes, captured as the store prepares them
    const prepare = store.db.prepare.bind(store.db);
    store.db.prepare = ((sql: string) => {
      if (sql.includes('ORDER BY t.id DESC')) {
        const n = (sql.match(/\?/g) ?? []).length;
        const rows = prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array(n).fill('x')) as Array<{ detail: string }>;
        out.set(`list ${sql.slice(sql.indexOf('FROM tasks t'))}`, rows.map((r) => r.detail).join(' | '));
      }
      return prepare(sql);
    }) as typeof store.db.prepare;
    const cursor = store.list({ limit: 1 }).nextCursor ?? encodeCursor('task', 'Z');
    for (const f of [{}, { states: ['queued' as const, 'running' as const] }, { types: ['a', 'b'] }, { parentId: 'p' }, { parentId: null }]) {
      store.list({ ...f, cursor });
      store.list(f);
    }
    return out;
  }

  /**
   * Statements allowed to walk the table, each on purpose (migration 008): an index for them
   * would cost a page on every enqueue or every finished task. Counting by type and state runs
   * once at open (stats() then keeps counts in memory). Listing without a filter, by type, or
   * by a queued or finished state walks the primary key newest first (WITHOUT ROWID: the table
   * is the id index), skipping what does not match; checked below per list shape.
   */
  const UNINDEXED = new Set<string>(['selectCounts']);
  const walksPrimaryKey = (plan: string) => /^(SCAN t( |$)|SEARCH t USING PRIMARY KEY \(id<\?\))/.test(plan) && !/TEMP B-TREE/.test(plan);

  it('no statement scans a table or sorts for ORDER BY', async () => {
    const all = await plans();
    expect(all.size).toBeGreaterThan(25);
    expect([...all.keys()].filter((k) => k.startsWith('list ')).length).toBeGreaterThanOrEqual(8);
    for (const [name, plan] of all) {
      if (process.env.SHOW_PLANS) console.log(name, '=>', plan);
      if (UNINDEXED.has(name)) continue;
      if (name.startsWith('list ')) {
        // Every page reads rows in id order, never sorts; a parent or a live state is an index range.
        expect(plan, name).not.toMatch(/TEMP B-TREE/);
        // Roots only (parent_id IS NULL) walk the primary key: tasks_parent_id holds children only (migration 9).
        if (/parent_id = \?|'blocked'|'running'|'waiting'|'paused'/.test(name)) expect(plan, name).toMatch(/^SEARCH t USING INDEX (tasks_parent_id|tasks_live_state)/);
        else expect(walksPrimaryKey(plan), `${name}: ${plan}`).toBe(true);
        continue;
      }
      expect(plan, name).not.toMatch(/SCAN (t|tasks|task_events|task_deps|d|r)( |$)(?!USING)/);
      expect(plan, name).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  });

  it('scheduling and lookup statements use their dedicated indexes', async () => {
    const all = await plans();
    // claim: index entries only, no row read until the claim itself
    expect(all.get('claimCandidatesOfType')).toMatch(/^SEARCH tasks USING COVERING INDEX tasks_claim_type \(type=\?\)$/);
    expect(all.get('selectQueuedTypes')).toMatch(/INDEX tasks_claim_type/);
    expect(all.get('nextRunAfter')).toMatch(/^SEARCH tasks USING COVERING INDEX tasks_delayed \(run_at>\?\)$/);
    expect(all.get('findByDedupeKey')).toMatch(/INDEX tasks_dedupe/);
    expect(all.get('findBySpawnKey')).toMatch(/INDEX tasks_spawn_key \(parent_id=\? AND spawn_key=\?\)/);
    expect(all.get('selectOrphans')).toMatch(/^SEARCH t USING INDEX tasks_live_state \(state=\?\)/);
    expect(all.get('selectDependents')).toMatch(/INDEX task_deps_reverse/);
    expect(all.get('selectTaskEvents')).toMatch(/INDEX task_events_task/);
    // retention: a range of the finished-roots index from the cursor (each call reads a bounded page)
    expect(all.get('selectPruneCandidates')).toMatch(/^SEARCH tasks USING INDEX tasks_finished_roots \(\(finished_at,id\)>\(\?,\?\) AND \(finished_at,id\)<\(\?,\?\)\)$/);
    expect(all.get('selectOldestKept')).toMatch(/^SEARCH tasks USING INDEX tasks_finished_roots/);
    expect(all.get('deleteOldRemovedEvents')).toMatch(/INDEX task_events_removed/);
    expect(all.get('selectChildren')).toMatch(/INDEX tasks_parent_id/);
    // childSummary: counts and ratios from index entries alone, no child row read
    expect(all.get('summarizeChildStates')).toMatch(/^SEARCH tasks USING COVERING INDEX tasks_parent_state \(parent_id=\?\)$/);
  });
});
