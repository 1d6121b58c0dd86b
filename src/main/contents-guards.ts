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
  setPermissionRequestHandler(handler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((wc: unknown, permission: string) => boolean) | null): void;
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

/** Every permission request and check is denied: the Activity Center needs none. */
export function denyPermissions(session: GuardedSession, report: GuardReport = () => {}): void {
  session.setPermissionRequestHandler((_wc, permission, callback) => {
    report('permission', permission);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}

// Electron passes the URL on the event (newer API) or as the next argument (older signature).
function urlOf(event: PreventableEvent, rest: unknown[]): string {
  const fromEvent = (event as { url?: unknown }).url;
  if (typeof fromEvent === 'string') return fromEvent;
  return typeof rest[0] === 'string' ? rest[0] : '(unknown)';
}
