import { fork as forkProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor, type ForkContext, type ServiceChild, type SupervisorState } from '../src/main/supervisor';
import { FakeChild, ManualClock } from './support/main-fakes';

function setup(opts: { readyTimeoutMs?: number; drainTimeoutMs?: number } = {}) {
  const clock = new ManualClock();
  const children: FakeChild[] = [];
  const states: SupervisorState[] = [];
  const contexts: ForkContext[] = [];
  const sup = new Supervisor({
    clock,
    fork: (context) => {
      contexts.push(context);
      const c = new FakeChild();
      children.push(c);
      return c;
    },
    ...opts,
  });
  sup.onState((s) => states.push(s));
  const last = () => children[children.length - 1]!;
  return { clock, children, contexts, states, sup, last };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('Supervisor', () => {
  it('goes starting -> running only when the service says ready, and announces the child', () => {
    const { sup, last } = setup();
    const ready: ServiceChild[] = [];
    sup.onReady((c) => ready.push(c));
    sup.start();
    expect(sup.state.kind).toBe('starting');
    expect(sup.service).toBeNull();
    last().ready();
    expect(sup.state).toMatchObject({ kind: 'running', pid: last().pid });
    expect(ready).toEqual([last()]);
    expect(sup.service).toBe(last());
  });

  // Regression: a restarted service refused to start (SERVICE_LOCKED) because the crashed
  // one's owner heartbeat was still fresh; the new child is now told whose row to take over.
  it("hands the next child the crashed child's boot id to take over, and none to the first", () => {
    const { sup, clock, contexts, last } = setup();
    sup.start();
    expect(contexts).toEqual([{ takeoverBootId: null }]);
    last().ready();
    const crashed = last();
    crashed.exit(null);
    clock.advance(500);
    expect(contexts[1]).toEqual({ takeoverBootId: `boot-${crashed.pid}` });
  });

  it('restarts a crashed service with backoff 0.5 s doubling, then gives up after 5 crashes in a minute and says why', () => {
    const { sup, clock, children, states, last } = setup();
    sup.start();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      last().ready();
      last().exit(139);
      const s = sup.state;
      if (s.kind !== 'restarting') throw new Error(`expected restarting, got ${s.kind}`);
      expect(s.reason).toEqual({ kind: 'crashed', code: 139 });
      delays.push(s.delayMs);
      clock.advance(s.delayMs - 1);
      expect(children.length).toBe(i + 1); // not a millisecond early
      clock.advance(1);
      expect(children.length).toBe(i + 2);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000]);
    last().exit(1);
    const s = sup.state;
    expect(s.kind).toBe('gave-up');
    if (s.kind === 'gave-up') {
      expect(s.crashes).toBe(5);
      expect(s.message).toContain('crashed 5 times within 60 s');
      expect(s.message).toContain('code 1');
    }
    expect(clock.pending()).toEqual([]);
    expect(states.map((x) => x.kind)).toContain('crashed');
  });

  it('caps the backoff at 30 s when crashes are spread out, and resets it after a stable run', () => {
    const { sup, clock, last } = setup();
    sup.start();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      last().ready();
      clock.advance(20_000); // up, but not stable for a minute; crashes stay < 5 per minute
      last().exit(1);
      const s = sup.state;
      if (s.kind !== 'restarting') throw new Error(`expected restarting, got ${s.kind}`);
      delays.push(s.delayMs);
      clock.advance(s.delayMs);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    last().ready();
    clock.advance(61_000);
    last().exit(1);
    expect(sup.state).toMatchObject({ kind: 'restarting', delayMs: 500 });
  });

  it('gives up at once on a fatal startup error a restart cannot fix', () => {
    const { sup, last, children } = setup();
    sup.start();
    last().emit('message', { type: 'fatal', error: { code: 'SERVICE_LOCKED', message: 'Another Playlistify (pid 12) owns the database' } });
    last().exit(3);
    expect(sup.state).toMatchObject({
      kind: 'gave-up',
      reason: { kind: 'fatal', code: 'SERVICE_LOCKED' },
      message: 'The task service cannot start: Another Playlistify (pid 12) owns the database (SERVICE_LOCKED)',
    });
    expect(children.length).toBe(1);
  });

  it('kills a child that never becomes ready and counts it as a crash', async () => {
    const { sup, clock, children } = setup({ readyTimeoutMs: 10_000 });
    sup.start();
    clock.advance(10_000);
    expect(children[0]!.killed).toBe(true);
    expect(sup.state).toMatchObject({ kind: 'restarting', reason: { kind: 'start-timeout', afterMs: 10_000 } });
    await flush(); // the killed child's exit must not count as a second crash
    expect(sup.state.kind).toBe('restarting');
    clock.advance(500);
    expect(children.length).toBe(2);
  });

  it('stops gracefully: sends drain, and resolves when the child exits by itself', async () => {
    const { sup, last } = setup();
    sup.start();
    last().ready();
    const stopped = sup.stop();
    expect(sup.state.kind).toBe('stopping');
    expect(last().sent.map((s) => s.message)).toEqual([{ type: 'shutdown' }]);
    last().exit(0);
    await expect(stopped).resolves.toEqual({ kind: 'drained', code: 0 });
    expect(sup.state).toEqual({ kind: 'stopped', reason: { kind: 'drained', code: 0 } });
    expect(last().killed).toBe(false);
  });

  it('kills a child that does not drain within the bounded wait, and does not restart it', async () => {
    const { sup, clock, children } = setup({ drainTimeoutMs: 3_000 });
    sup.start();
    children[0]!.ready();
    const stopped = sup.stop();
    clock.advance(2_999);
    expect(children[0]!.killed).toBe(false);
    clock.advance(1);
    expect(children[0]!.killed).toBe(true);
    await expect(stopped).resolves.toEqual({ kind: 'killed', afterMs: 3_000 });
    await flush();
    clock.advance(60_000);
    expect(children.length).toBe(1);
    expect(sup.state.kind).toBe('stopped');
  });

  it('stop during a restart backoff cancels the pending restart', async () => {
    const { sup, clock, children, last } = setup();
    sup.start();
    last().ready();
    last().exit(1);
    await expect(sup.stop()).resolves.toBeNull();
    clock.advance(60_000);
    expect(children.length).toBe(1);
  });

  it('supervises a real Node child process: ready, SIGKILL -> restart, drain -> exit 0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'playlistify-sup-'));
    try {
      const script = path.join(dir, 'svc.cjs');
      fs.writeFileSync(
        script,
        `process.on('message', (m) => { if (m.type === 'shutdown') { process.send({ type: 'drained' }); process.exit(0); } });
         process.send({ type: 'ready', bootId: String(process.pid) });
         setInterval(() => {}, 1000);`,
      );
      const pids: number[] = [];
      const sup = new Supervisor({
        baseDelayMs: 10,
        fork: () => {
          const cp = forkProcess(script, [], { stdio: 'ignore' });
          pids.push(cp.pid!);
          return {
            get pid() { return cp.pid; },
            postMessage: (m) => void cp.send(m),
            on: (event: 'exit' | 'message', fn: (v: never) => void) => cp.on(event, fn as (v: unknown) => void),
            kill: () => cp.kill('SIGKILL'),
          } as ServiceChild;
        },
      });
      const readyOnce = () => new Promise<void>((r) => { const off = sup.onReady(() => { off(); r(); }); });
      let ready = readyOnce();
      sup.start();
      await ready;
      ready = readyOnce();
      process.kill(pids[0]!, 'SIGKILL');
      await ready;
      expect(pids.length).toBe(2);
      expect(sup.state).toMatchObject({ kind: 'running', pid: pids[1] });
      await expect(sup.stop()).resolves.toEqual({ kind: 'drained', code: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
