/**
 * The renderer's Content-Security-Policy: only our own bundle, no inline script, no eval, no
 * remote content. The app:// handler and the dev server's responses carry it as a header;
 * index.html repeats it in a meta tag for any load without headers. Electron-free so the web
 * host shares it.
 */
export function contentSecurityPolicy(extraConnect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${extraConnect.map((c) => ` ${c}`).join('')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
