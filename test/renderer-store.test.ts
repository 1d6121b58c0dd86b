import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration } from '../src/renderer/format';
import { visibleRows, type ViewQuery } from '../src/renderer/order';
import { ActivityModel } from '../src/renderer/store';
import type { Task, TaskChange, TaskEvent, TaskState } from '../src/shared/task';

let seq = 0;
function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id, type: 'video-download', title: id, state: 'queued', priority: 0, parentId: null, spawnKey: null,
    dependsOn: [], input: {}, result: null, error: null, progress: null, attempt: 0, runs: 0, maxAttempts: 3,
    runAt: 0, dedupeKey: null, createdAt: 1000, startedAt: null, finishedAt: null, updatedAt: 1000, ...over,
  };
}
function stateEvent(t: Task, from: TaskState | null): TaskChange {
  const event: TaskEvent = { seq: ++seq, taskId: t.id, kind: from ? 'state' : 'created', from, to: t.state, data: null, at: t.updatedAt };
  return { kind: 'event', event, task: t };
}
const tick = (taskId: string, current: number, total: number, at: number): TaskChange => ({
  kind: 'progress', taskId, at, progress: { ratio: current / total, message: null, current, total },
});

describe('ActivityModel', () => {
  it('groups children under their parent: roots newest first, children oldest first', () => {
    const m = new ActivityModel();
    m.load([
      task('p1', { type: 'playlist-import', createdAt: 1 }),
      task('c2', { parentId: 'p1', createdAt: 3 }),
      task('c1', { parentId: 'p1', createdAt: 2 }),
      task('solo', { createdAt: 5 }),
      task('orphan', { parentId: 'gone', createdAt: 4 }),
    ]);
    const g = m.groups();
    expect(g.map((x) => x.root.id)).toEqual(['solo', 'orphan', 'p1']);
    expect(g[2]!.children.map((c) => c.id)).toEqual(['c1', 'c2']);
  });

  it('filters by state, keeping a parent visible when one of its children matches', () => {
    const m = new ActivityModel();
    m.load([
      task('p', { state: 'waiting', createdAt: 1 }),
      task('a', { parentId: 'p', state: 'failed', createdAt: 2 }),
      task('b', { parentId: 'p', state: 'completed', createdAt: 3 }),
      task('x', { state: 'completed', createdAt: 4 }),
    ]);
    expect(m.groups('failed').map((g) => [g.root.id, g.children.map((c) => c.id)])).toEqual([['p', ['a']]]);
    expect(m.groups('active').map((g) => [g.root.id, g.children.map((c) => c.id)])).toEqual([['p', []]]);
    expect(m.groups('completed').map((g) => g.root.id)).toEqual(['x', 'p']);
    expect(m.finishedRoots()).toEqual(['x']);
  });

  it('reduces journal events into state, remembers the last seq, and never regresses to an older row', () => {
    const m = new ActivityModel();
    const t0 = task('t', { updatedAt: 10 });
    expect([...m.apply(stateEvent(t0, null), '1')]).toEqual(['t']);
    const t1 = { ...t0, state: 'running' as const, updatedAt: 20 };
    m.apply(stateEvent(t1, 'queued'), '2');
    expect(m.tasks.get('t')!.state).toBe('running');
    expect(m.lastSeq).toBe('2');
    // A listing fetched before the event lands late: it must not undo it.
    expect(m.merge([t0]).size).toBe(0);
    expect(m.tasks.get('t')!.state).toBe('running');
  });

  it('removes a task and its descendants on a removed event', () => {
    const m = new ActivityModel();
    m.load([task('p'), task('c', { parentId: 'p' }), task('g', { parentId: 'c' }), task('other')]);
    const removed: TaskChange = { kind: 'event', event: { seq: 9, taskId: 'p', kind: 'removed', from: 'completed', to: null, data: null, at: 50 }, task: null };
    expect([...m.apply(removed, '9')].sort()).toEqual(['c', 'g', 'p']);
    expect([...m.tasks.keys()]).toEqual(['other']);
  });

  it('derives a smoothed speed and an ETA from progress ticks, and drops them when the task stops running', () => {
    const m = new ActivityModel();
    const t = task('d', { state: 'running', updatedAt: 0 });
    m.load([t]);
    m.apply(tick('d', 0, 10_000, 1000));
    expect(m.speedOf('d')).toBeNull(); // one sample is no rate
    m.apply(tick('d', 1000, 10_000, 2000)); // 1000 B/s
    expect(m.speedOf('d')).toBe(1000);
    expect(m.etaOf('d')).toBe(9);
    m.apply(tick('d', 3000, 10_000, 3000)); // 2000 B/s sample -> 0.3*2000 + 0.7*1000
    expect(m.speedOf('d')).toBeCloseTo(1300);
    expect(m.etaOf('d')).toBeCloseTo(7000 / 1300);
    expect(m.progressOf(m.tasks.get('d')!)!.current).toBe(3000);
    // Resumed from an earlier checkpoint: bytes went backwards, the average restarts.
    m.apply(tick('d', 2000, 10_000, 4000));
    expect(m.speedOf('d')).toBeNull();
    m.apply(stateEvent({ ...t, state: 'paused', updatedAt: 5000 }, 'running'), '3');
    expect(m.speedOf('d')).toBeNull();
    expect(m.etaOf('d')).toBeNull();
  });

  it('counts tasks by state', () => {
    const m = new ActivityModel();
    m.load([task('a', { state: 'running' }), task('b', { state: 'running' }), task('c', { state: 'failed' })]);
    expect(m.counts()).toMatchObject({ running: 2, failed: 1, queued: 0 });
  });
});

describe('incremental updates', () => {
  // Regression: every journal event (each "checkpoint saved") rebuilt the whole list.
  it('a checkpoint event that changes nothing on screen touches no row and keeps the order', () => {
    const m = new ActivityModel();
    const t = task('d', { state: 'running', updatedAt: 10 });
    m.load([t]);
    const version = m.version;
    const checkpoint: TaskChange = { kind: 'event', event: { seq: 99, taskId: 'd', kind: 'checkpoint', from: null, to: null, data: { bytes: 80 }, at: 20 }, task: { ...t, updatedAt: 20 } };
    expect(m.apply(checkpoint, '99').size).toBe(0);
    expect(m.version).toBe(version);
    expect(m.lastSeq).toBe('99');
  });

  it("a progress tick touches its own row and its playlist's row, and never the order", () => {
    const m = new ActivityModel();
    m.load([task('p', { type: 'playlist-import', state: 'waiting' }), task('c', { parentId: 'p', state: 'running' }), task('x')]);
    const version = m.version;
    expect([...m.apply(tick('c', 10, 100, 5))].sort()).toEqual(['c', 'p']);
    expect(m.version).toBe(version);
  });

  it("sums a playlist's children: counts, bytes, speed and ETA", () => {
    const m = new ActivityModel();
    m.load([
      task('p', { type: 'playlist-import', state: 'waiting' }),
      task('a', { parentId: 'p', state: 'completed', progress: { ratio: 1, message: null, current: 100, total: 100 } }),
      task('b', { parentId: 'p', state: 'failed' }),
      task('c', { parentId: 'p', state: 'running', updatedAt: 0 }),
    ]);
    m.apply(tick('c', 0, 300, 1000));
    m.apply(tick('c', 100, 300, 2000));
    const a = m.aggregate('p');
    expect(a).toMatchObject({ total: 3, done: 1, failed: 1, running: 1, bytesDone: 200, speed: 100 });
    expect(a.units).toBeCloseTo(1 + 100 / 300); // the bar: one done, a third of one more
    expect(a.bytesTotal).toBeNull(); // the failed child's size was never known
  });

  it('clear finished takes completed and cancelled roots and keeps failed ones', () => {
    const m = new ActivityModel();
    m.load([task('a', { state: 'completed' }), task('b', { state: 'cancelled' }), task('c', { state: 'failed' }), task('d', { state: 'running' })]);
    expect(m.clearPlan()).toEqual({ ids: ['a', 'b'], completed: 1, cancelled: 1, keptFailed: 1 });
  });
});

describe('visibleRows', () => {
  const q = (over: Partial<ViewQuery> = {}): ViewQuery => ({ filter: 'all', search: '', sort: 'newest', collapsed: new Set(), ...over });
  const model = () => {
    const m = new ActivityModel();
    m.load([
      task('p', { type: 'playlist-import', title: 'Road trip', createdAt: 1, state: 'waiting' }),
      task('c1', { parentId: 'p', title: 'Desert', createdAt: 2, state: 'completed' }),
      task('c2', { parentId: 'p', title: 'Coast', createdAt: 3, state: 'running' }),
      task('solo', { title: 'Alpha', createdAt: 4, input: { url: 'http://h/solo.mp4', dir: '/videos/music' } }),
    ]);
    return m;
  };

  it('flattens roots and their children, newest root first, children in playlist order', () => {
    expect(visibleRows(model(), q()).map((r) => `${r.id}:${r.depth}`)).toEqual(['solo:0', 'p:0', 'c1:1', 'c2:1']);
  });

  it('hides the children of a collapsed playlist but still counts them', () => {
    const rows = visibleRows(model(), q({ collapsed: new Set(['p']) }));
    expect(rows.map((r) => r.id)).toEqual(['solo', 'p']);
    expect(rows[1]!.childCount).toBe(2);
  });

  it('searches titles, addresses and folders; a matching child keeps its playlist', () => {
    expect(visibleRows(model(), q({ search: 'coast' })).map((r) => r.id)).toEqual(['p', 'c2']);
    expect(visibleRows(model(), q({ search: '/videos/music' })).map((r) => r.id)).toEqual(['solo']);
  });

  it('sorts by name and by status', () => {
    expect(visibleRows(model(), q({ sort: 'name' })).map((r) => r.id)).toEqual(['solo', 'p', 'c2', 'c1']);
    expect(visibleRows(model(), q({ sort: 'status' })).map((r) => r.id)).toEqual(['p', 'c2', 'c1', 'solo']);
  });
});

describe('format', () => {
  it('prints bytes and durations for people', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
    expect(formatBytes(null)).toBe('—');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(formatDuration(null)).toBe('');
  });
});
