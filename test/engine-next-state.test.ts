import { describe, expect, it } from 'vitest';
import type { Task, TaskState } from '../src/shared/task';
import type { ThrownInfo } from '../src/task-service/engine/abort';
import { blockedVerdict, nextState, parentVerdict, type Outcome, type Policy } from '../src/task-service/engine/next-state';
import type { ChildSummary } from '../src/task-service/store/types';

/** The engine's decision tables, with no SQLite: plain values in, a decision out. */

const NOW = 1_000_000;

function task(fields: Partial<Task> = {}): Task {
  return {
    id: 't1', type: 'x', title: '', state: 'running', priority: 0, parentId: null, spawnKey: null, dependsOn: [], input: null,
    result: null, error: null, progress: null, attempt: 0, runs: 1, maxAttempts: 3, runAt: NOW, dedupeKey: null, createdAt: NOW,
    startedAt: NOW, finishedAt: null, updatedAt: NOW, ...fields,
  };
}

function kids(byState: Partial<Record<TaskState, number>> = {}, ratio = 0.5, tolerated = 0): ChildSummary {
  return { total: Object.values(byState).reduce((a, b) => a + (b ?? 0), 0), byState, ratio, tolerated };
}

const thrown = (fields: Partial<ThrownInfo> = {}): ThrownInfo => ({ name: 'Error', code: null, message: 'boom', permanent: false, ...fields });
const fail = (info: ThrownInfo, abort: Outcome extends infer O ? (O extends { ok: false; abort: infer A } ? A : never) : never = null): Outcome => ({ ok: false, info, abort });
const policy: Policy = { now: NOW, delay: (failed) => failed * 100 };
const never = (): never => {
  throw new Error('this decision must not need that read');
};

describe('nextState: how a run ends', () => {
  it('a success with no children completes, keeps the result and clears any earlier error', () => {
    expect(nextState(task(), { ok: true, result: { n: 1 } }, () => kids(), never, policy)).toEqual({
      to: 'completed',
      patch: { result: { n: 1 }, leaseOwner: null, error: null },
    });
  });

  it('a success with children still open waits for them', () => {
    expect(nextState(task(), { ok: true, result: 1 }, () => kids({ completed: 1, running: 1 }), never, policy)).toEqual({ to: 'waiting', patch: { result: 1, leaseOwner: null } });
  });

  it('a success whose children all settled, one badly, fails with CHILDREN_FAILED', () => {
    const d = nextState(task(), { ok: true, result: 1 }, () => kids({ completed: 2, cancelled: 1 }), never, policy);
    expect(d.to).toBe('failed');
    expect(d.patch.error).toMatchObject({ code: 'CHILDREN_FAILED', retryable: true, message: expect.stringContaining('1 of 3 children') });
  });

  it('a NETWORK failure during an outage goes back to queued, refunded, without reading the failure count', () => {
    const d = nextState(task(), fail(thrown({ code: 'ECONNRESET' })), never, never, { ...policy, networkLost: true });
    expect(d).toEqual({
      to: 'queued',
      patch: {
        leaseOwner: null, runAt: NOW, refundAttempt: true, error: null,
        reason: { reason: 'network', waiting: 'waiting for network', error: { code: 'NETWORK', message: 'ECONNRESET: boom', retryable: true } },
      },
    });
  });

  it('an outage does not excuse other failures, nor permanent ones', () => {
    expect(nextState(task(), fail(thrown({ code: 'EACCES' })), never, () => 1, { ...policy, networkLost: true }).patch.refundAttempt).toBeUndefined();
    expect(nextState(task(), fail(thrown({ code: 'NETWORK', permanent: true })), never, never, { ...policy, networkLost: true }).to).toBe('failed');
  });

  it('our own shutdown puts the task back in the queue at once and refunds the attempt', () => {
    expect(nextState(task(), fail(thrown(), 'shutdown'), never, never, policy)).toEqual({
      to: 'queued',
      patch: { leaseOwner: null, runAt: NOW, refundAttempt: true, reason: { reason: 'shutdown' } },
    });
  });

  it('a retryable failure with budget left is queued after the backoff for the failures counted so far', () => {
    // Run 4 with 1 failed attempt before it (the store's count, 2, includes this run's failure).
    const d = nextState(task({ attempt: 1, runs: 4, maxAttempts: 3 }), fail(thrown({ code: 'ECONNRESET' })), never, () => 2, policy);
    expect(d).toEqual({
      to: 'queued',
      patch: {
        error: { code: 'NETWORK', message: 'ECONNRESET: boom', retryable: true },
        runAt: NOW + 200,
        leaseOwner: null,
        reason: { reason: 'retry', run: 4, failedAttempts: 2, delayMs: 200 },
      },
    });
  });

  it('a retryable failure that used up the budget fails, still marked retryable', () => {
    expect(nextState(task({ maxAttempts: 3 }), fail(thrown()), never, () => 3, policy)).toEqual({
      to: 'failed',
      patch: { error: { code: 'HANDLER_FAILED', message: 'boom', retryable: true }, leaseOwner: null },
    });
  });

  it('a permanent failure fails at once without reading the failure count', () => {
    expect(nextState(task({ maxAttempts: 9 }), fail(thrown({ permanent: true, code: 'HTTP_ERROR' })), never, never, policy)).toEqual({
      to: 'failed',
      patch: { error: { code: 'HTTP_ERROR', message: 'boom', retryable: false }, leaseOwner: null },
    });
  });

  it('a timeout is a retryable failure like any other', () => {
    const d = nextState(task(), fail(thrown({ code: 'TIMEOUT', name: 'TimeoutError' }), 'timeout'), never, () => 1, policy);
    expect(d.to).toBe('queued');
    expect(d.patch.error).toEqual({ code: 'TIMEOUT', message: 'boom', retryable: true });
  });
});

describe('parentVerdict: a waiting parent and its children', () => {
  it('waits while any child is open and reports their mean progress', () => {
    expect(parentVerdict(kids({ completed: 1, queued: 1 }, 0.5))).toEqual({ to: 'waiting', done: 1, total: 2, ratio: 0.5 });
  });

  it('completes at ratio 1 once all completed', () => {
    expect(parentVerdict(kids({ completed: 3 }, 1))).toEqual({ to: 'completed', done: 3, total: 3, ratio: 1 });
  });

  it('fails, keeping the real ratio, once all settled and any failed', () => {
    expect(parentVerdict(kids({ completed: 1, failed: 1 }, 0.75))).toMatchObject({ to: 'failed', done: 2, total: 2, ratio: 0.75, error: { code: 'CHILDREN_FAILED' } });
  });

  // Issue 11: a private or deleted playlist entry is a failed child, but must not fail the import.
  it('completes when every failed child is one the parent tolerates, and fails when one is not', () => {
    expect(parentVerdict(kids({ completed: 2, failed: 1 }, 1, 1))).toEqual({ to: 'completed', done: 3, total: 3, ratio: 1 });
    expect(parentVerdict(kids({ completed: 1, failed: 2 }, 1, 1))).toMatchObject({ to: 'failed', done: 3, error: { code: 'CHILDREN_FAILED', message: expect.stringMatching(/^1 of 3/) } });
    expect(parentVerdict(kids({ failed: 1, running: 1 }, 0.5, 1))).toEqual({ to: 'waiting', done: 1, total: 2, ratio: 0.5 });
  });
});

describe('blockedVerdict: a blocked task and its dependencies', () => {
  it('cancels behind a failed or cancelled dependency, naming it', () => {
    expect(blockedVerdict([task({ id: 'a', state: 'completed' }), task({ id: 'b', state: 'cancelled' })])).toEqual({ to: 'cancelled', dependency: 'b' });
  });

  it('queues once every dependency completed', () => {
    expect(blockedVerdict([task({ state: 'completed' }), task({ id: 'b', state: 'completed' })])).toEqual({ to: 'queued' });
  });

  it('stays blocked while one is live or was removed', () => {
    expect(blockedVerdict([task({ state: 'running' })])).toEqual({ to: 'blocked' });
    expect(blockedVerdict([undefined])).toEqual({ to: 'blocked' });
  });
});
