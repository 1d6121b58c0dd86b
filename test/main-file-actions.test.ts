import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFileAction, type FileActionDeps } from '../src/main/file-actions';
import { ServiceError } from '../src/shared/errors';
import type { Task } from '../src/shared/task';
import { tmpDir } from './support/tmp';

function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id, type: 'video-download', title: id, state: 'completed', priority: 0, parentId: null, spawnKey: null,
    dependsOn: [], input: {}, result: null, error: null, progress: null, attempt: 0, runs: 0, maxAttempts: 8,
    runAt: 0, dedupeKey: null, createdAt: 1, startedAt: null, finishedAt: null, updatedAt: 1, ...over,
  };
}

/** The service's records (by id) and shell calls, on real files in a temp folder. */
function deps(tasks: Task[]) {
  const shown: string[] = [];
  const opened: string[] = [];
  const d: FileActionDeps = {
    getTask: async (id) => {
      const t = tasks.find((x) => x.id === id);
      if (!t) throw new ServiceError('NOT_FOUND', `No task ${id}`);
      return t;
    },
    showItemInFolder: (f) => void shown.push(f),
    openPath: async (f) => (opened.push(f), ''),
    exists: existsSync,
  };
  return { d, shown, opened };
}

describe('file actions over IPC', () => {
  it('shows or opens the file the service recorded for a completed task', async () => {
    const file = path.join(tmpDir(), 'clip.mp4');
    writeFileSync(file, 'x');
    const { d, shown, opened } = deps([task('t1', { result: { path: file, bytes: 1, sha256: 'x' } })]);
    expect(await runFileAction(d, 'show-in-folder', 't1')).toEqual({ ok: true });
    expect(await runFileAction(d, 'open-file', 't1')).toEqual({ ok: true });
    expect(shown).toEqual([file]);
    expect(opened).toEqual([file]);
  });

  it('refuses anything but the id of a completed task with a file, and touches nothing', async () => {
    const file = path.join(tmpDir(), 'gone.mp4');
    const { d, shown, opened } = deps([
      task('running', { state: 'running', input: { dir: '/etc' } }),
      task('moved', { result: { path: file } }),
      task('relative', { result: { path: 'clip.mp4' } }),
    ]);
    expect(await runFileAction(d, 'show-in-folder', '/etc/passwd')).toEqual({ ok: false, message: 'That is not a task id.' });
    expect(await runFileAction(d, 'delete', 'running')).toEqual({ ok: false, message: 'Unknown file action.' });
    expect(await runFileAction(d, 'open-file', { id: 'running' })).toEqual({ ok: false, message: 'That is not a task id.' });
    expect(await runFileAction(d, 'open-file', 'running')).toEqual({ ok: false, message: 'Only a finished download has a file to show.' });
    expect(await runFileAction(d, 'open-file', 'nope')).toMatchObject({ ok: false, message: expect.stringMatching(/could not find/) });
    expect(await runFileAction(d, 'open-file', 'moved')).toEqual({ ok: false, message: `The file is no longer at ${file}; it was moved or deleted.` });
    expect(await runFileAction(d, 'open-file', 'relative')).toEqual({ ok: false, message: 'This task did not record a file.' });
    expect([...shown, ...opened]).toEqual([]);
  });
});
