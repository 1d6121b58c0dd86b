import { describe, expect, it } from 'vitest';
import { startNetworkMonitor } from '../src/main/network-monitor';

/** Electron main's connectivity reports, with plain functions for net.isOnline and the timer. */
function rig(initial: boolean) {
  let online = initial;
  const sent: boolean[] = [];
  let tick: (() => void) | null = null;
  const listeners = new Set<() => void>();
  const monitor = startNetworkMonitor({
    isOnline: () => online,
    send: (v) => sent.push(v),
    signals: [(check) => (listeners.add(check), () => listeners.delete(check))],
    setInterval: (fn) => ((tick = fn), 'timer'),
    clearInterval: (h) => {
      expect(h).toBe('timer');
      tick = null;
    },
  });
  return { monitor, sent, set: (v: boolean) => (online = v), tick: () => tick?.(), signal: () => listeners.forEach((l) => l()), listeners, ticking: () => tick !== null };
}

describe('network monitor (Electron main)', () => {
  it('sends the state at start, then only changes, found by the periodic check or a signal', () => {
    const r = rig(true);
    expect(r.sent).toEqual([true]);
    r.tick();
    expect(r.sent).toEqual([true]);
    r.set(false);
    r.tick();
    r.tick();
    expect(r.sent).toEqual([true, false]);
    r.set(true);
    r.signal();
    expect(r.sent).toEqual([true, false, true]);
    expect(r.monitor.online()).toBe(true);
  });

  it('re-sends the current state to a restarted service, and stops checking when stopped', () => {
    const r = rig(false);
    r.monitor.resend();
    expect(r.sent).toEqual([false, false]);
    r.monitor.stop();
    expect(r.ticking()).toBe(false);
    expect(r.listeners.size).toBe(0);
  });

  it('a probe that throws counts as online: work is not held back on a broken check', () => {
    const sent: boolean[] = [];
    startNetworkMonitor({ isOnline: () => { throw new Error('no net module'); }, send: (v) => sent.push(v), setInterval: () => 0, clearInterval: () => {} });
    expect(sent).toEqual([true]);
  });
});
