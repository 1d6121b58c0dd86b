import path from 'node:path';
import { taskId } from '../shared/schemas';
import type { Task } from '../shared/task';

/**
 * Show in folder / Open for a finished download, and the folder picker, behind a narrow IPC.
 * The page sends only a task id; the path comes from the service's own record of the task
 * (result.path of a completed task), never from the page, so a compromised page cannot make
 * main open an arbitrary file. Electron's shell/dialog functions come in as parameters.
 */

export const FILE_ACTIONS = ['show-in-folder', 'open-file'] as const;
export type FileAction = (typeof FILE_ACTIONS)[number];

/** What the page is told: ok, or a sentence saying why not. */
export interface FileActionAnswer {
  ok: boolean;
  message?: string;
}

export interface FileActionDeps {
  /** tasks.get through main's own service client. */
  getTask(id: string): Promise<Task>;
  /** shell.showItemInFolder */
  showItemInFolder(file: string): void;
  /** shell.openPath: resolves with '' on success, else the OS's error text. */
  openPath(file: string): Promise<string>;
  exists(file: string): boolean;
}

export async function runFileAction(deps: FileActionDeps, action: unknown, id: unknown): Promise<FileActionAnswer> {
  if (typeof action !== 'string' || !(FILE_ACTIONS as readonly string[]).includes(action)) return { ok: false, message: 'Unknown file action.' };
  if (!taskId.safeParse(id).success) return { ok: false, message: 'That is not a task id.' };
  let task: Task;
  try {
    task = await deps.getTask(id as string);
  } catch {
    return { ok: false, message: 'The task service could not find this task; it may have been removed.' };
  }
  if (task.state !== 'completed') return { ok: false, message: 'Only a finished download has a file to show.' };
  const file = (task.result as { path?: unknown } | null)?.path;
  if (typeof file !== 'string' || !path.isAbsolute(file)) return { ok: false, message: 'This task did not record a file.' };
  if (!deps.exists(file)) return { ok: false, message: `The file is no longer at ${file}; it was moved or deleted.` };
  if (action === 'show-in-folder') {
    deps.showItemInFolder(file);
    return { ok: true };
  }
  const problem = await deps.openPath(file);
  return problem === '' ? { ok: true } : { ok: false, message: `The file could not be opened: ${problem}` };
}
