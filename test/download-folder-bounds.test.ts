import fs, { type Stats } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, TaskAbort } from '../src/task-service/engine/define';
import { prepareDir, type FolderFs } from '../src/task-service/tasks/download/prepare-dir';
import { DownloadRoots } from '../src/task-service/tasks/download/roots';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { cleanup, startService, waitFor, waitState } from './support/engine-harness';
import { tmpDir } from './support/tmp';

/**
 * Regression: with dir=/proc/forbidden a download stayed `running` forever, and after cancel the
 * service kept spinning 50-70% of a CPU: Node's recursive mkdir retries forever when a
 * filesystem answers ENOENT for a folder whose parent exists. Folders are now made one level at
 * a time, every call bounded in time and raced against the task's signal.
 */

afterEach(cleanup);

const hasProc = fs.existsSync('/proc/self');

/** A filesystem whose mkdir never answers (a dead network mount), counting the calls. */
function hangingMkdir(): FolderFs & { mkdirs: string[] } {
  const mkdirs: string[] = [];
  return {
    mkdirs,
    lstat: (p) => fs.promises.lstat(p),
    stat: (p) => fs.promises.stat(p),
    realpath: (p) => fs.promises.realpath(p),
    mkdir: (p) => {
      mkdirs.push(p);
      return new Promise<never>(() => {});
    },
  };
}

/** The real filesystem, counting mkdir calls. */
function countingFs(): FolderFs & { mkdirs: string[] } {
  const mkdirs: string[] = [];
  return {
    mkdirs,
    lstat: (p) => fs.promises.lstat(p),
    stat: (p): Promise<Stats> => fs.promises.stat(p),
    realpath: (p) => fs.promises.realpath(p),
    mkdir: (p) => (mkdirs.push(p), fs.promises.mkdir(p)),
  };
}

describe('folder creation fails fast and never spins', () => {
  it.runIf(hasProc)('a folder /proc will not create is one mkdir and a permanent BAD_INPUT', async () => {
    const counting = countingFs();
    const err = await prepareDir(new DownloadRoots(['/proc']), '/proc/forbidden/deeper', new AbortController().signal, { fs: counting }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/Cannot create the folder \/proc\/forbidden \(ENOENT\)/) });
    expect(counting.mkdirs).toEqual(['/proc/forbidden']);
  });

  it.runIf(hasProc)('a download into /proc/forbidden ends failed (permanent) at once, its slot free and no CPU burnt after', async () => {
    const root = tmpDir('dl-proc-');
    // /proc as a granted root is a misconfiguration, but the service must still end the task.
    const svc = await startService({ tasks: [createVideoDownload({ roots: new DownloadRoots([root, '/proc']) })], concurrency: { global: 1 } });
    const t = svc.create({ type: 'video-download', input: { url: 'http://127.0.0.1:9/v', dir: '/proc/forbidden', filename: 'v.mp4' } });
    const failed = await waitState(svc, t.id, 'failed');
    expect(failed.error).toMatchObject({ code: 'BAD_INPUT', retryable: false, message: expect.stringContaining('/proc/forbidden') });
    expect(failed.attempt).toBe(1);
    await waitFor(() => svc.stats().busySlots === 0, 'the slot to be free');
    // Nothing keeps working in the background: the process is idle (the old loop used a core).
    const before = process.cpuUsage();
    const wallStart = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, 500));
    const cpuMicros = process.cpuUsage(before);
    const wallMicros = Number(process.hrtime.bigint() - wallStart) / 1000;
    expect(cpuMicros.user + cpuMicros.system).toBeLessThan(wallMicros * 0.3);
  });

  it('a hung filesystem call fails with a permanent TIMEOUT after the bound', async () => {
    const root = tmpDir('dl-hang-');
    const hanging = hangingMkdir();
    const err = await prepareDir(new DownloadRoots([root]), path.join(root, 'a', 'b'), new AbortController().signal, { fs: hanging, callTimeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('did not answer') });
    expect(hanging.mkdirs).toEqual([path.join(root, 'a')]);
  });

  it('cancel during a hung mkdir ends the task cancelled and frees its slot for the next one', async () => {
    const root = tmpDir('dl-hang-cancel-');
    const hanging = hangingMkdir();
    const download = createVideoDownload({ roots: new DownloadRoots([root]), folders: { fs: hanging, callTimeoutMs: 60_000 } });
    const svc = await startService({ tasks: [download], concurrency: { global: 1 } });
    const stuck = svc.create({ type: 'video-download', input: { url: 'http://127.0.0.1:9/v', dir: path.join(root, 'stuck'), filename: 'v.mp4' } });
    await waitFor(() => hanging.mkdirs.length === 1, 'the mkdir to hang');
    svc.cancel({ id: stuck.id });
    await waitState(svc, stuck.id, 'cancelled');
    await waitFor(() => svc.stats().busySlots === 0, 'the slot to be free');
    // The handler really returned (its abort was honoured), not just relabelled.
    const next = svc.create({ type: 'video-download', input: { url: 'http://127.0.0.1:9/v', dir: path.join(root, 'next'), filename: 'v.mp4' } });
    await waitFor(() => hanging.mkdirs.length === 2, 'the next task to get the slot');
    svc.cancel({ id: next.id });
    await waitState(svc, next.id, 'cancelled');
  });

  it('an abort while waiting rejects with the abort reason', async () => {
    const root = tmpDir('dl-hang-abort-');
    const controller = new AbortController();
    const pending = prepareDir(new DownloadRoots([root]), path.join(root, 'x'), controller.signal, { fs: hangingMkdir() }).catch((e: unknown) => e);
    controller.abort(new TaskAbort('cancel'));
    expect(await pending).toMatchObject({ name: 'TaskAbort', kind: 'cancel' });
  });

  it('a file where a folder should be is a permanent BAD_INPUT', async () => {
    const root = tmpDir('dl-file-');
    fs.writeFileSync(path.join(root, 'taken'), 'x');
    const err = await prepareDir(new DownloadRoots([root]), path.join(root, 'taken', 'sub'), new AbortController().signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('exists and is not a folder') });
  });
});
