import fs from 'node:fs';
import path from 'node:path';
import { BrowserWindow, app, protocol, session } from 'electron';
import type { MessagePortMain, WebContents } from 'electron';
import { PAGE_ORIGIN_ARG } from '../shared/ipc';
import { APP_ENTRY_URL, APP_ORIGIN, APP_SCHEME, createAppProtocolHandler } from './app-protocol';
import { clipboardWriteFrom, denyPermissions, guardContents, type GuardReport } from './contents-guards';
import type { DevelopmentMode } from './dev-mode';
import type { PortBroker } from './port-broker';
import { contentSecurityPolicy } from './security';

/**
 * The Electron calls that lock the app down and open its window. Decisions live in the
 * Electron-free modules (app-protocol, contents-guards, dev-mode); this file only wires them.
 */

/** Before `ready`: app:// is a standard, secure scheme, so the page gets a real origin. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
}

/** Guards for every webContents, from the first one on (call before any window exists). */
export function guardAllContents(report: GuardReport): void {
  app.on('web-contents-created', (_event, contents) => {
    guardContents(
      {
        on: (name, listener) => contents.on(name as 'will-navigate', listener as () => void),
        setWindowOpenHandler: (handler) => contents.setWindowOpenHandler(handler),
      },
      report,
    );
  });
}

/** After `ready`: serve the renderer on app://, CSP on every response, no permissions. */
export function lockDownSession(rendererDir: string, pageOrigin: string, report: GuardReport): void {
  const csp = contentSecurityPolicy();
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ root: rendererDir, readFile: (f) => fs.promises.readFile(f), csp }));
  // The dev server's responses carry no CSP of their own; app:// responses already have it.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  denyPermissions(
    {
      setPermissionRequestHandler: (h) => session.defaultSession.setPermissionRequestHandler(h && ((wc, p, cb, details) => h(wc, p, cb, details))),
      setPermissionCheckHandler: (h) => session.defaultSession.setPermissionCheckHandler(h && ((wc, p, origin) => h(wc, p, origin))),
    },
    report,
    clipboardWriteFrom(pageOrigin),
  );
}

/** The origin our page has: app://playlistify, or the dev server's under electron-vite dev. */
export function pageOriginOf(mode: DevelopmentMode): string {
  return mode.rendererUrl ? new URL(mode.rendererUrl).origin : APP_ORIGIN;
}

export function createWindow(mode: DevelopmentMode, preloadPath: string, broker: PortBroker<WebContents, MessagePortMain>): BrowserWindow {
  const pageOrigin = pageOriginOf(mode);
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    title: 'Playlistify — Activity Center',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      devTools: mode.dev,
      additionalArguments: [`${PAGE_ORIGIN_ARG}${pageOrigin}`],
    },
  });
  const id = win.webContents.id;
  broker.addWindow(win.webContents);
  win.on('closed', () => broker.removeWindow(id));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(mode.rendererUrl ?? APP_ENTRY_URL);
  return win;
}

/** The built renderer folder next to the main bundle (inside app.asar when packaged). */
export function rendererDir(mainDir: string): string {
  return path.join(mainDir, '../renderer');
}
