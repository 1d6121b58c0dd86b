import fs from 'node:fs';
import path from 'node:path';
import type { GrantFolderMessage } from './service-protocol';

/**
 * Folders the user allowed downloads into, beyond the default downloads folder. The service
 * writes only under its roots (src/task-service/tasks/download/roots.ts); a host adds roots
 * in two ways:
 *
 * - at every (re)start of the service: `config.downloadsRoots` (the list below);
 * - while it runs: a `{type: 'grant-folder', dir}` message on the service's parent port, which
 *   only the host holds (a page or a local process with a client port cannot send it).
 *
 * The web host takes them from `--downloads-dir` flags; Electron from its folder dialog. Like
 * the supervisor, this takes Electron's functions as parameters, so it is tested under Node.
 */

export const DOWNLOADS_DIR_FLAG = '--downloads-dir';

/** `--downloads-dir=A --downloads-dir B,C` -> [A, B, C] as absolute paths (repeatable, or a comma list). */
export function downloadsDirFlags(argv: readonly string[], cwd: string = process.cwd()): string[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith(`${DOWNLOADS_DIR_FLAG}=`)) values.push(arg.slice(DOWNLOADS_DIR_FLAG.length + 1));
    else if (arg === DOWNLOADS_DIR_FLAG && argv[i + 1] !== undefined) values.push(argv[++i]!);
  }
  const dirs = values.flatMap((v) => v.split(',')).map((d) => d.trim()).filter((d) => d.length > 0);
  return [...new Set(dirs.map((d) => path.resolve(cwd, d)))];
}

/** The granted folders, remembered in a small JSON file so a restart of the app keeps them. */
export class GrantedFolders {
  private folders: string[];

  constructor(private readonly file: string | null) {
    this.folders = file === null ? [] : readList(file);
  }

  list(): string[] {
    return [...this.folders];
  }

  /** Remembers `dir` and returns the message that grants it to a running service. */
  add(dir: string): GrantFolderMessage {
    const abs = path.resolve(dir);
    if (!this.folders.includes(abs)) {
      this.folders.push(abs);
      if (this.file !== null) {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        fs.writeFileSync(this.file, JSON.stringify(this.folders, null, 2));
      }
    }
    return { type: 'grant-folder', dir: abs };
  }
}

function readList(file: string): string[] {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string' && path.isAbsolute(d)) : [];
  } catch {
    return []; // missing or unreadable: no grants yet (the default folder still works)
  }
}

/** The part of Electron's `dialog.showOpenDialog` we use. */
export type ShowOpenDialog = (options: {
  title: string;
  buttonLabel: string;
  defaultPath?: string;
  properties: Array<'openDirectory' | 'createDirectory' | 'promptToCreate' | 'dontAddToRecent'>;
}) => Promise<{ canceled: boolean; filePaths: string[] }>;

/**
 * Asks the user for a downloads folder; on a choice, remembers it and hands it to the running
 * service through `send` (the supervisor's current child). Returns the folder, or null when
 * the user cancelled. Main wires it as `chooseDownloadsFolder((o) => dialog.showOpenDialog(win, o), ...)`.
 */
export async function chooseDownloadsFolder(
  showOpenDialog: ShowOpenDialog,
  granted: GrantedFolders,
  send: (message: GrantFolderMessage) => void,
  defaultPath?: string,
): Promise<string | null> {
  const answer = await showOpenDialog({
    title: 'Choose a folder for downloads',
    buttonLabel: 'Use this folder',
    ...(defaultPath ? { defaultPath } : {}),
    properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
  });
  const dir = answer.canceled ? undefined : answer.filePaths[0];
  if (!dir) return null;
  const message = granted.add(dir);
  send(message);
  return message.dir;
}
