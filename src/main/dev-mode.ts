/**
 * Development doors (DevTools, the dev server's ELECTRON_RENDERER_URL) open only under an
 * explicit development flag. Two conditions, both set by `electron-vite dev` and by nothing
 * else: the bundle was compiled in development mode (import.meta.env.DEV, a build-time
 * constant: a production bundle cannot be talked into it at run time) AND the environment says
 * NODE_ENV_ELECTRON_VITE=development. `npm start` (electron-vite preview) and installers are
 * production builds, so an environment variable alone never loads a page into our window.
 */

export const DEV_FLAG_ENV = 'NODE_ENV_ELECTRON_VITE';
export const RENDERER_URL_ENV = 'ELECTRON_RENDERER_URL';

export interface DevelopmentMode {
  /** DevTools, the dev menu and the dev server are allowed. */
  dev: boolean;
  /** The dev server's page, or null: load the bundled page from app://. */
  rendererUrl: string | null;
  /** Origins whose frames may get a service port. */
  pageOrigins: string[];
}

/**
 * Decides the mode. Even in development only a loopback http(s) dev server is accepted, so a
 * stray variable cannot point the window at a remote page that would receive the service port.
 */
export function developmentMode(compiledDev: boolean, env: Readonly<Record<string, string | undefined>>, appOrigin: string): DevelopmentMode {
  const dev = compiledDev && env[DEV_FLAG_ENV] === 'development';
  const prod: DevelopmentMode = { dev, rendererUrl: null, pageOrigins: [appOrigin] };
  if (!dev) return prod;
  const raw = env[RENDERER_URL_ENV];
  if (!raw) return prod;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return prod;
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (!loopback || (url.protocol !== 'http:' && url.protocol !== 'https:')) return prod;
  return { dev, rendererUrl: url.href, pageOrigins: [appOrigin, url.origin] };
}
