import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN } from '../src/main/app-protocol';
import { clipboardWriteFrom, denyPermissions, guardContents, type GuardedContents, type PreventableEvent } from '../src/main/contents-guards';
import { developmentMode } from '../src/main/dev-mode';
import { DEV_ONLY_ROLES, appMenuTemplate, rolesIn } from '../src/main/menu';

/**
 * Development doors stay shut in production: a remote page cannot be loaded through an
 * environment variable, the menu has no DevTools, every webContents refuses navigation, new
 * windows, webviews and permissions.
 */

describe('development mode', () => {
  const devEnv = { NODE_ENV_ELECTRON_VITE: 'development', ELECTRON_RENDERER_URL: 'http://localhost:5173' };

  it('ignores ELECTRON_RENDERER_URL in a production bundle, whatever the environment says (regression: honoured whenever !app.isPackaged)', () => {
    expect(developmentMode(false, devEnv, APP_ORIGIN)).toEqual({ dev: false, rendererUrl: null, pageOrigins: [APP_ORIGIN] });
    expect(developmentMode(true, { ELECTRON_RENDERER_URL: 'http://localhost:5173' }, APP_ORIGIN).rendererUrl).toBeNull();
  });

  it('loads the dev server only under electron-vite dev, and only from loopback', () => {
    expect(developmentMode(true, devEnv, APP_ORIGIN)).toEqual({
      dev: true,
      rendererUrl: 'http://localhost:5173/',
      pageOrigins: [APP_ORIGIN, 'http://localhost:5173'],
    });
    const remote = developmentMode(true, { ...devEnv, ELECTRON_RENDERER_URL: 'https://evil.example/' }, APP_ORIGIN);
    expect(remote).toEqual({ dev: true, rendererUrl: null, pageOrigins: [APP_ORIGIN] });
    expect(developmentMode(true, { ...devEnv, ELECTRON_RENDERER_URL: 'file:///etc/passwd' }, APP_ORIGIN).rendererUrl).toBeNull();
    expect(developmentMode(true, { ...devEnv, ELECTRON_RENDERER_URL: 'not a url' }, APP_ORIGIN).rendererUrl).toBeNull();
  });
});

describe('application menu', () => {
  const base = { appName: 'Playlistify', updatesEnabled: false, openLogsFolder: () => {}, setUpdatesEnabled: () => {} };

  it('has no DevTools or reload in production, on every platform (regression: Electron default menu shipped Toggle DevTools)', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const roles = rolesIn(appMenuTemplate({ ...base, platform, dev: false }));
      expect(roles.filter((r) => DEV_ONLY_ROLES.has(r))).toEqual([]);
      expect(roles).toContain('editMenu'); // copy/paste still work
    }
    expect(rolesIn(appMenuTemplate({ ...base, platform: 'linux', dev: true }))).toContain('toggleDevTools');
  });

  it('offers Open Logs Folder and an updates checkbox that reflects the setting', () => {
    let opened = 0;
    const set: boolean[] = [];
    const template = appMenuTemplate({ ...base, platform: 'linux', dev: false, updatesEnabled: true, openLogsFolder: () => opened++, setUpdatesEnabled: (v) => set.push(v) });
    const help = template.find((m) => m.label === 'Help')!.submenu as Array<{ label: string; checked?: boolean; click: (item: { checked: boolean }) => void }>;
    help.find((i) => i.label === 'Open Logs Folder')!.click({ checked: false });
    const updates = help.find((i) => i.label === 'Check for Updates Automatically')!;
    expect(updates.checked).toBe(true);
    updates.click({ checked: false });
    expect(opened).toBe(1);
    expect(set).toEqual([false]);
  });
});

class FakeContents extends EventEmitter implements GuardedContents {
  openHandler: ((d: { url: string }) => { action: 'deny' }) | null = null;
  setWindowOpenHandler(handler: (d: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
}

function fire(contents: FakeContents, name: string, url?: string): boolean {
  let prevented = false;
  const event: PreventableEvent & { url?: string } = { preventDefault: () => (prevented = true), ...(url ? { url } : {}) };
  contents.emit(name, event, url);
  return prevented;
}

describe('web contents guards', () => {
  it('refuses navigation, redirects, frame navigation, webviews and new windows, and reports each', () => {
    const contents = new FakeContents();
    const seen: string[] = [];
    guardContents(contents, (what, detail) => seen.push(`${what} ${detail}`));
    expect(fire(contents, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(fire(contents, 'will-frame-navigate', 'https://evil.example/frame')).toBe(true);
    expect(fire(contents, 'will-redirect', 'https://evil.example/r')).toBe(true);
    expect(fire(contents, 'will-attach-webview')).toBe(true);
    expect(contents.openHandler?.({ url: 'https://evil.example/popup' })).toEqual({ action: 'deny' });
    expect(seen).toEqual([
      'navigation https://evil.example/',
      'navigation https://evil.example/frame',
      'redirect https://evil.example/r',
      'webview refused',
      'window-open https://evil.example/popup',
    ]);
  });

  it('denies every permission request and check; only our page may write the clipboard', () => {
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void, d: { requestingUrl?: string }) => void) | null = null;
    let check: ((wc: unknown, p: string, origin: string) => boolean) | null = null;
    const reported: string[] = [];
    denyPermissions(
      { setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) },
      (_what, p) => reported.push(p),
      clipboardWriteFrom(APP_ORIGIN),
    );
    const ask = (p: string, url: string) => {
      let granted: boolean | null = null;
      request!(null, p, (g) => (granted = g), { requestingUrl: url });
      return [granted, check!(null, p, url)];
    };
    for (const p of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal']) expect(ask(p, `${APP_ORIGIN}/index.html`), p).toEqual([false, false]);
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toEqual([false, false]);
    expect(ask('clipboard-sanitized-write', `${APP_ORIGIN}/index.html`)).toEqual([true, true]);
    expect(reported).toEqual(['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal', 'clipboard-sanitized-write']);
  });
});
