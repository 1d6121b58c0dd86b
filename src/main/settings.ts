import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The app's own settings, a small JSON file in the user-data folder. Unknown or malformed
 * content falls back to the defaults (a hand-edited file must not keep the app from starting)
 * and is reported, never half-applied. Writes go through a temp file and a rename, so a crash
 * mid-write leaves the old file.
 */

const settingsSchema = z.object({
  updates: z.object({ enabled: z.boolean() }).strict(),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Off by default: no update check (no network call) unless the user turns it on. */
export const DEFAULT_SETTINGS: Settings = { updates: { enabled: false } };

export function settingsPath(userData: string): string {
  return path.join(userData, 'settings.json');
}

export function loadSettings(file: string): { settings: Settings; problem: string | null } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { settings: structuredClone(DEFAULT_SETTINGS), problem: null };
    return { settings: structuredClone(DEFAULT_SETTINGS), problem: `cannot read ${file}: ${(e as Error).message}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { settings: structuredClone(DEFAULT_SETTINGS), problem: `${file} is not JSON; using defaults` };
  }
  const parsed = settingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...(typeof raw === 'object' && raw !== null ? raw : {}) });
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { settings: structuredClone(DEFAULT_SETTINGS), problem: `${file} has bad settings (${why}); using defaults` };
  }
  return { settings: parsed.data, problem: null };
}

export function saveSettings(file: string, settings: Settings): void {
  const valid = settingsSchema.parse(settings);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(valid, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
