import { describe, expect, it } from 'vitest';
import { DesktopIntegration, followService, type DesktopFns } from '../src/main/desktop-integration';
import { ManualClock } from '../src/task-service/engine/clock';
import type { Task, TaskChange, TaskState } from '../src/shared/task';

let seq = 0;
function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id, type: 'video-download', title: `Title ${id}`, state: 'queued', priority: 0, parentId: null, spawnKey: null,
    dependsOn: [], input: {}, result: null, error: null, progress: null, attempt: 0, runs: 0, maxAttempts: 8,
    runAt: 0, dedupeKey: null, createdAt: 1, startedAt: null, finishedAt: null, updatedAt: 1, ...over,
  };
}
const to = (t: Task, state: TaskState): TaskChange => ({ kind: 'event', event: { seq: ++seq, taskId: t.id, kind: 'state', from: t.state, to: state, data: null, at: seq }, task: { ...t, state } });
const tick = (id: string, current: number, total: number | null): TaskChange => ({ kind: 'progress', taskId: id, at: ++seq, progress: { ratio: null, message: null, current, total } });

/** Electron's functions, recording what they were asked; timers run on a manual clock. */
function electronFns(clock: ManualClock) {
  const calls = { notes: [] as Array<[string, string]>, bars: [] as number[], badges: [] as number[] };
  const fns: DesktopFns = {
    notify: (title, body) => void calls.notes.push([title, body]),
    setProgressBar: (v) => void calls.bars.push(v),
    setBadgeCount: (n) => (calls.badges.push(n), true),
    setTimer: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimer: (h) => clock.clearTimeout(h as never),
  };
  return { fns, calls };
}

describe('DesktopIntegration', () => {
  it('coalesces finishes into one notification, and a playlist speaks for its videos', () => {
    const clock = new ManualClock(0);
    const { fns, calls } = electronFns(clock);
    const d = new DesktopIntegration(fns, { coalesceMs: 1000 });
    const p = task('p', { type: 'playlist-import', title: 'Road trip', state: 'waiting' });
    const kids = ['a', 'b', 'c'].map((id) => task(id, { parentId: 'p', state: 'running' }));
    const solo = task('s', { state: 'running' });
    const solo2 = task('s2', { state: 'running' });
    d.load([p, ...kids, solo, solo2]);
    for (const k of kids) d.apply(to(k, 'completed'));
    expect(calls.notes).toEqual([]); // videos of a playlist do not notify one by one
    d.apply(to(p, 'completed'));
    d.apply(to(solo, 'completed'));
    d.apply(to(solo2, 'failed'));
    clock.advance(999);
    expect(calls.notes).toEqual([]);
    clock.advance(1);
    expect(calls.notes).toEqual([['2 finished, 1 failed', 'Road trip, Title s, Title s2']]);
    d.apply(to(task('s3', { state: 'running' }), 'failed'));
    clock.advance(1000);
    expect(calls.notes[1]).toEqual(['Download failed', 'Title s3 — open Playlistify to see why and retry.']);
  });

  it('shows the aggregate of running downloads on the taskbar, indeterminate while a size is unknown, and clears it', () => {
    const { fns, calls } = electronFns(new ManualClock(0));
    const d = new DesktopIntegration(fns);
    const a = task('a', { state: 'running' });
    const b = task('b', { state: 'running' });
    d.load([a, b, task('q')]);
    d.apply(tick('a', 50, 100));
    expect(calls.bars.at(-1)).toBe(2); // b's size is not known yet
    d.apply(tick('b', 0, 300));
    expect(calls.bars.at(-1)).toBe(0.12); // 50 of 400
    const before = calls.bars.length;
    d.apply(tick('a', 51, 100)); // still 12%: no call to the OS
    expect(calls.bars.length).toBe(before);
    d.apply(to(a, 'completed'));
    d.apply(to(b, 'paused'));
    expect(calls.bars.at(-1)).toBe(-1);
  });

  it('badges the number of failed tasks (a playlist and its failed video count once)', () => {
    const { fns, calls } = electronFns(new ManualClock(0));
    const d = new DesktopIntegration(fns);
    const p = task('p', { type: 'playlist-import', state: 'waiting' });
    const c = task('c', { parentId: 'p', state: 'running' });
    const s = task('s', { state: 'running' });
    d.load([p, c, s]);
    expect(calls.badges).toEqual([0]);
    d.apply(to(c, 'failed'));
    d.apply(to(p, 'failed'));
    d.apply(to(s, 'failed'));
    expect(calls.badges).toEqual([0, 1, 2]);
    d.apply({ kind: 'event', event: { seq: ++seq, taskId: 's', kind: 'removed', from: 'failed', to: null, data: null, at: seq }, task: null });
    expect(calls.badges.at(-1)).toBe(1);
  });

  it('follows the service: a full listing each time the watch goes live, then its changes', async () => {
    const { fns, calls } = electronFns(new ManualClock(0));
    const d = new DesktopIntegration(fns);
    const listed: Task[][] = [[task('a', { state: 'failed' })], [task('a', { state: 'failed' }), task('b', { state: 'failed' })]];
    let lists = 0;
    let live = () => {};
    let change: (c: TaskChange) => void = () => {};
    followService(
      {
        list: async () => ({ items: listed[Math.min(lists++, 1)]!, nextCursor: null }),
        watch: (onChange, onLive) => ((change = onChange), (live = onLive), () => {}),
      },
      d,
    );
    live();
    await new Promise((r) => setImmediate(r));
    expect(calls.badges.at(-1)).toBe(1);
    change(to(task('c', { state: 'running' }), 'failed'));
    expect(calls.badges.at(-1)).toBe(2);
    live(); // after a service restart: listed again
    await new Promise((r) => setImmediate(r));
    expect(lists).toBe(2);
    expect(calls.badges.at(-1)).toBe(2);
  });
});
