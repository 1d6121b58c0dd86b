// Shared by `npm start` and `npm run dist`: the Electron binary, installed by electron's own
// installer if it is missing. The installer's stack trace is kept out of the terminal; the
// caller prints one line with its first line as the reason.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { electronBinary } from '../e2e/electron-binary';

const require = createRequire(import.meta.url);

/** The binary's path, or why it could not be installed. */
export function ensureElectron(): { ok: true; binary: string } | { ok: false; reason: string } {
  const present = electronBinary();
  if (present !== null) return { ok: true, binary: present };
  const installer = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
  const r = spawnSync(process.execPath, [installer], { encoding: 'utf8' });
  const installed = electronBinary();
  if (r.status === 0 && installed !== null) return { ok: true, binary: installed };
  const first = `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n').find((l) => l.trim() !== '') ?? `exit code ${r.status}`;
  return { ok: false, reason: first.trim() };
}
