import fs from 'node:fs';
import path from 'node:path';

/**
 * Where the Electron binary is, or null. Never `require('electron')` here: when the binary is
 * missing that module tries to download it.
 */
export function electronBinary(root: string = process.cwd()): string | null {
  const dir = path.join(root, 'node_modules', 'electron');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = path.join(dir, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const exe = path.join(override ?? path.join(dir, 'dist'), fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(exe) ? exe : null;
}

export const ELECTRON_MISSING =
  'electron: the Electron binary is not installed (node_modules/electron/dist); the electron project runs nothing';
