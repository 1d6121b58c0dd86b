import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/task-service/engine/backoff';
import { ManualClock } from '../src/task-service/engine/clock';
import { ProgressCoalescer } from '../src/task-service/engine/coalescer';
import { ConcurrencyLimiter } from '../src/task-service/engine/limiter';
import { DueTimer } from '../src/task-service/engine/due-timer';
import type { TaskProgress } from '../src/shared/task';

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and jitters within [half, full]', () => {
    const o = { baseMs: 100, maxMs: 1_000, factor: 2 };
    expect(backoffDelay(1, o, () => 0)).toBe(50);
    expect(backoffDelay(1, o, () => 1)).toBe(100);
    expect(backoffDelay(3, o, () => 1)).toBe(400);
    expect(backoffDelay(30, o, () => 1)).toBe(1_000);
    expect(backoffDelay(30, o, () => 0)).toBe(500);
    expect(backoffDelay(2, o, () => 0.5)).toBe(150);
  });
});

describe('ConcurrencyLimiter', () => {
  it('accounts slots synchronously and honours limits changed at run time', async () => {
    const l = new ConcurrencyLimiter(3, { a: 1 });
    const releases: Array<() => void> = [];
    const job = () => new Promise<void>((r) => releases.push(r));
    void l.run('a', job);
    expect([...l.capacity(['a', 'b'])]).toEqual([['b', 2]]);
    void l.run('b', job);
    void l.run('b', job);
    expect(l.free()).toBe(0);
    l.setLimit(undefined, 1); // lowered below the running count: no preemption, no room
    expect(l.capacity(['a', 'b']).size).toBe(0);
    l.setLimit(undefined, 5);
    l.setLimit('a', 2);
    expect([...l.capacity(['a', 'b'])]).toEqual([['a', 1], ['b', 2]]);
    for (const r of releases) r();
    await l.idle();
    expect(l.running()).toBe(0);
  });
});

describe('ProgressCoalescer', () => {
  it('emits at most once per emitMs and persists at most once per persistMs, latest wins', () => {
    const clock = new ManualClock();
    const emitted: Array<[number, number | null]> = [];
    const persisted: Array<[number, number | null]> = [];
    const c = new ProgressCoalescer({
      clock,
      emitMs: 100,
      persistMs: 1_000,
      emit: (_id, p: TaskProgress, at) => emitted.push([at - 1_700_000_000_000, p.ratio]),
      persist: (batch, at) => batch.forEach(([, p]) => persisted.push([at - 1_700_000_000_000, p.ratio])),
    });
    // 1,000 reports a second for 2 seconds.
    for (let i = 1; i <= 2_000; i++) {
      clock.advance(1);
      c.report('t', { ratio: i / 2_000 });
    }
    clock.advance(1_000);
    expect(emitted.length).toBeGreaterThanOrEqual(19);
    expect(emitted.length).toBeLessThanOrEqual(22);
    for (let i = 1; i < emitted.length; i++) expect(emitted[i]![0] - emitted[i - 1]![0]).toBeGreaterThanOrEqual(100);
    expect(emitted.at(-1)![1]).toBe(1);
    expect(persisted.length).toBeLessThanOrEqual(3);
    expect(persisted.at(-1)![1]).toBe(1);
    // Nothing pending: no timer left ticking.
    expect(clock.pendingTimers()).toBe(0);
  });

  it('take() hands back the unpersisted latest value for a state change', () => {
    const clock = new ManualClock();
    const c = new ProgressCoalescer({ clock, emitMs: 100, persistMs: 1_000, emit: () => {}, persist: () => {} });
    c.report('t', { current: 3, total: 10 });
    expect(c.take('t')).toEqual({ ratio: null, message: null, current: 3, total: 10 });
    expect(c.take('t')).toBeNull();
  });
});

describe('DueTimer', () => {
  it('keeps one timer for the earliest moment and re-arms on change', () => {
    const clock = new ManualClock();
    let fired = 0;
    const t = new DueTimer(clock, () => fired++);
    t.arm(clock.now() + 1_000);
    t.arm(clock.now() + 500);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(499);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
  });
});
