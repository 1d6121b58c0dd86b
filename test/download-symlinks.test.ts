import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../src/task-service/engine/define';
import { DownloadRoots } from '../src/task-service/tasks/download/roots';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { cleanup, startService, waitState } from './support/engine-harness';
import { createTaskHarness } from './support/task-context';
import { tmpDirManual } from './support/tmp';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server';

/**
 * Regressions: a symlink planted as `<name>.part` failed as a retryable HANDLER_FAILED that
 * burnt all 8 attempts, and a dangling symlink at the final name was replaced by the download
 * (against "never replace an existing entry"). Now the first is a permanent CONFLICT and the
 * second a CONFLICT that leaves the link as it was.
 */

let server: LoopbackServer;
let base: { dir: string; dispose: () => void };
let dir: string;
let victim: string;

beforeEach(async () => {
  server = await startLoopbackServer();
  base = tmpDirManual('dl-symlinks-');
  dir = path.join(base.dir, 'Downloads');
  fs.mkdirSync(dir);
  victim = path.join(base.dir, 'victim.txt');
  fs.writeFileSync(victim, 'PRECIOUS');
  server.route('/v.mp4', { content: { size: 100_000, seed: 31 } });
});
afterEach(async () => {
  await cleanup();
  await server.close();
  base.dispose();
});

const input = (): { url: string; dir: string; filename: string } => ({ url: server.url('/v.mp4'), dir, filename: 'clip.mp4' });
const download = () => createVideoDownload({ roots: new DownloadRoots([dir]) });

describe('symlinks at a download name', () => {
  it('a symlink planted as <name>.part is a permanent CONFLICT; its target is untouched', async () => {
    fs.symlinkSync(victim, path.join(dir, 'clip.mp4.part'));
    const err = await createTaskHarness().runExpectingError(download(), input());
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('symbolic link') });
    expect(fs.readFileSync(victim, 'utf8')).toBe('PRECIOUS');
    expect(fs.lstatSync(path.join(dir, 'clip.mp4.part')).isSymbolicLink()).toBe(true);
  });

  it('in the service, a planted .part symlink fails the task after one attempt, not eight', async () => {
    fs.symlinkSync(victim, path.join(dir, 'clip.mp4.part'));
    const svc = await startService({ tasks: [download()] });
    const t = svc.create({ type: 'video-download', input: input() });
    const failed = await waitState(svc, t.id, 'failed');
    expect(failed.error).toMatchObject({ code: 'CONFLICT', retryable: false });
    expect(failed.attempt).toBe(1);
  });

  it('a hard link planted as <name>.part is refused too, so our writes cannot change the other file', async () => {
    fs.linkSync(victim, path.join(dir, 'clip.mp4.part'));
    const err = await createTaskHarness().runExpectingError(download(), input());
    expect(err).toMatchObject({ name: 'PermanentError', code: 'CONFLICT', message: expect.stringContaining('hard link') });
    expect(fs.readFileSync(victim, 'utf8')).toBe('PRECIOUS');
  });

  it('a dangling symlink at the final name is never replaced', async () => {
    const nowhere = path.join(base.dir, 'nowhere.mp4');
    fs.symlinkSync(nowhere, path.join(dir, 'clip.mp4'));
    const err = await createTaskHarness().runExpectingError(download(), input());
    expect(err).toMatchObject({ name: 'PermanentError', code: 'CONFLICT', message: expect.stringContaining('not a regular file') });
    expect(fs.lstatSync(path.join(dir, 'clip.mp4')).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(path.join(dir, 'clip.mp4'))).toBe(nowhere);
    expect(fs.existsSync(nowhere)).toBe(false);
    expect(fs.statSync(path.join(dir, 'clip.mp4.part')).size).toBe(100_000); // kept for a retry
  });

  it('a symlink at the final name to a file with the very same bytes is still not taken as ours', async () => {
    await createTaskHarness().run(createVideoDownload({ roots: new DownloadRoots([base.dir]) }), { url: server.url('/v.mp4'), dir: base.dir, filename: 'same.mp4' });
    fs.symlinkSync(path.join(base.dir, 'same.mp4'), path.join(dir, 'clip.mp4'));
    const err = await createTaskHarness().runExpectingError(download(), input());
    expect(err).toMatchObject({ code: 'CONFLICT' });
    expect(fs.lstatSync(path.join(dir, 'clip.mp4')).isSymbolicLink()).toBe(true);
  });
});
