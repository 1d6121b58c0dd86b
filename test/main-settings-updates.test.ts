import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, loadSettings, saveSettings, settingsPath } from '../src/main/settings';
import { UpdateController, type UpdatesDeps } from '../src/main/updater';
import { tmpDir } from './support/tmp';

/** Updates are off unless the user turns them on; while off, electron-updater is never loaded. */

function fakeUpdates(over: Partial<UpdatesDeps> = {}) {
  const calls = { loads: 0, checks: 0, intervals: [] as Array<() => void>, cleared: 0, logs: [] as string[] };
  const deps: UpdatesDeps = {
    loadUpdater: async () => {
      calls.loads++;
      return { checkForUpdatesAndNotify: async () => void calls.checks++ };
    },
    unavailable: () => null,
    log: (_l, t) => void calls.logs.push(t),
    setInterval: (fn) => (calls.intervals.push(fn), calls.intervals.length),
    clearInterval: () => void calls.cleared++,
    ...over,
  };
  return { calls, controller: new UpdateController(deps) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('settings', () => {
  it('defaults to updates off when there is no file, and round-trips a saved file', () => {
    const file = settingsPath(tmpDir());
    expect(loadSettings(file)).toEqual({ settings: DEFAULT_SETTINGS, problem: null });
    expect(DEFAULT_SETTINGS.updates.enabled).toBe(false);
    saveSettings(file, { updates: { enabled: true } });
    expect(loadSettings(file)).toEqual({ settings: { updates: { enabled: true } }, problem: null });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['settings.json']);
  });

  it('falls back to the defaults, with a reason, for a file that is not JSON or has bad values', () => {
    const file = settingsPath(tmpDir());
    fs.writeFileSync(file, '{oops');
    expect(loadSettings(file)).toMatchObject({ settings: { updates: { enabled: false } }, problem: expect.stringContaining('not JSON') });
    fs.writeFileSync(file, JSON.stringify({ updates: { enabled: 'yes' } }));
    expect(loadSettings(file)).toMatchObject({ settings: { updates: { enabled: false } }, problem: expect.stringContaining('updates.enabled') });
    expect(() => saveSettings(file, { updates: { enabled: 'yes' } } as never)).toThrow();
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ updates: { enabled: 'yes' } }); // bad save wrote nothing
  });
});

describe('updates', () => {
  it('never loads electron-updater (so makes no network call) while the setting is off', async () => {
    const { calls, controller } = fakeUpdates();
    controller.setEnabled(false);
    await settle();
    expect(calls).toMatchObject({ loads: 0, checks: 0, intervals: [] });
  });

  it('checks at once and on every interval once turned on, and stops when turned off again', async () => {
    const { calls, controller } = fakeUpdates();
    expect(controller.setEnabled(true)).toBeNull();
    await settle();
    expect(calls.checks).toBe(1);
    calls.intervals[0]!();
    await settle();
    expect(calls.checks).toBe(2);
    expect(calls.loads).toBe(1);
    controller.setEnabled(false);
    expect(calls.cleared).toBe(1);
    calls.intervals[0]!(); // a tick already queued when it was turned off
    await settle();
    expect(calls.checks).toBe(2);
  });

  it('stays idle with a reason in a build without an update feed, and logs a failed check instead of throwing', async () => {
    const noFeed = fakeUpdates({ unavailable: () => 'this build has no update feed' });
    expect(noFeed.controller.setEnabled(true)).toBe('this build has no update feed');
    await settle();
    expect(noFeed.calls.loads).toBe(0);
    const offline = fakeUpdates({ loadUpdater: async () => ({ checkForUpdatesAndNotify: async () => Promise.reject(new Error('net::ERR_INTERNET_DISCONNECTED')) }) });
    offline.controller.setEnabled(true);
    await settle();
    await settle();
    expect(offline.calls.logs).toContain('updates: check failed: net::ERR_INTERNET_DISCONNECTED');
  });
});
