/**
 * Guards for every webContents the app ever creates (installed from
 * app.on('web-contents-created'), so a window, a devtools page or anything a future feature
 * opens gets them before it loads): no navigation away, no redirects, no new windows, no
 * webviews, no permissions. Electron-free: takes the minimal shapes of WebContents and Session
 * so tests drive it with an EventEmitter.
 */

/** A cancellable Electron event (will-navigate, will-redirect, will-attach-webview, ...). */
export interface PreventableEvent {
  preventDefault(): void;
}

export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate' | 'will-attach-webview', listener: (event: PreventableEvent, ...rest: unknown[]) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface GuardedSession {
  setPermissionRequestHandler(handler: ((wc: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void) | null): void;
  setPermissionCheckHandler(handler: ((wc: unknown, permission: string, requestingOrigin: string) => boolean) | null): void;
}

/** An exception to "deny everything": (permission, origin of the asking page) -> allowed. */
export type PermissionException = (permission: string, origin: string) => boolean;

/**
 * The only exception the app makes: writing (never reading) the clipboard from its own page,
 * which "Copy diagnostics" needs; Chromium also requires a user gesture for it.
 */
export function clipboardWriteFrom(pageOrigin: string): PermissionException {
  return (permission, origin) => permission === 'clipboard-sanitized-write' && originOf(origin) === pageOrigin;
}

/** What a guard refused, for the log. */
export type GuardReport = (what: 'navigation' | 'redirect' | 'window-open' | 'webview' | 'permission', detail: string) => void;

export function guardContents(contents: GuardedContents, report: GuardReport = () => {}): void {
  // The page is a single document; it never needs to navigate, in any frame.
  contents.on('will-navigate', (event, ...rest) => {
    event.preventDefault();
    report('navigation', urlOf(event, rest));
  });
  contents.on('will-frame-navigate', (event, ...rest) => {
    event.preventDefault();
    report('navigation', urlOf(event, rest));
  });
  contents.on('will-redirect', (event, ...rest) => {
    event.preventDefault();
    report('redirect', urlOf(event, rest));
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    report('webview', 'refused');
  });
  contents.setWindowOpenHandler(({ url }) => {
    report('window-open', url);
    return { action: 'deny' };
  });
}

/** Every permission request and check is denied (the Activity Center needs none), bar `allow`. */
export function denyPermissions(session: GuardedSession, report: GuardReport = () => {}, allow: PermissionException = () => false): void {
  session.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const ok = allow(permission, details?.requestingUrl ?? '');
    if (!ok) report('permission', permission);
    callback(ok);
  });
  session.setPermissionCheckHandler((_wc, permission, origin) => allow(permission, origin ?? ''));
}

function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '';
  }
}

// Electron passes the URL on the event (newer API) or as the next argument (older signature).
function urlOf(event: PreventableEvent, rest: unknown[]): string {
  const fromEvent = (event as { url?: unknown }).url;
  if (typeof fromEvent === 'string') return fromEvent;
  return typeof rest[0] === 'string' ? rest[0] : '(unknown)';
}
