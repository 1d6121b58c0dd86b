import { PAGE_ORIGIN_ARG } from '../shared/ipc';

/**
 * The origin the page must have before the preload hands it the service port: the one main put
 * on the command line (additionalArguments). Null when absent or not a plain scheme://host, in
 * which case nothing is forwarded. Electron-free, tested under Node.
 */
export function expectedPageOrigin(argv: readonly string[]): string | null {
  const arg = argv.find((a) => a.startsWith(PAGE_ORIGIN_ARG));
  if (!arg) return null;
  const origin = arg.slice(PAGE_ORIGIN_ARG.length);
  return /^[a-z][a-z0-9+.-]*:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(origin) ? origin : null;
}

/** True when the document's origin is the expected one (the page did not end up elsewhere). */
export function mayForward(expected: string | null, actualOrigin: string): expected is string {
  return expected !== null && actualOrigin === expected;
}
