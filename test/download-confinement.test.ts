import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceError } from '../src/shared/errors';
import { PermanentError } from '../src/task-service/engine/define';
import { createAppTasks } from '../src/task-service/tasks';
import { DownloadRoots, pathProblem } from '../src/task-service/tasks/download/roots';
import { createPlaylistImport } from '../src/task-service/tasks/playlist-import';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { cleanup, startService, waitState } from './support/engine-harness';
import { createTaskHarness } from './support/task-context';
import { tmpDirManual } from './support/tmp';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server';

/**
 * Regressions: `dir` accepted any absolute path, `<downloads>/../elsewhere` wrote outside, and
 * UNC paths (`\\host\share`, which leak NTLM credentials on Windows) were accepted. Downloads now
 * go only under the downloads roots: refused at creation (BAD_INPUT, nothing stored) and again
 * before a run touches the disk (OUTSIDE_DOWNLOADS, before any mkdir).
 */

const outside = (roots: DownloadRoots, dir: string): string | null => roots.problem(dir);

describe('the path rules (pure, both platforms)', () => {
  it('posix: inside a root, relative under the default, and nothing that climbs out', () => {
    const roots = new DownloadRoots(['/home/u/Downloads', '/media/usb'], path.posix);
    expect(roots.confine('/home/u/Downloads/shows').dir).toBe('/home/u/Downloads/shows');
    expect(roots.confine('shows/s1').dir).toBe('/home/u/Downloads/shows/s1');
    expect(roots.confine('.').dir).toBe('/home/u/Downloads');
    expect(roots.confine('/media/usb/x')).toEqual({ dir: '/media/usb/x', root: '/media/usb' });
    expect(roots.confine('/home/u/Downloads/..foo').dir).toBe('/home/u/Downloads/..foo');
    for (const dir of ['/home/u/Downloads/../elsewhere', '../elsewhere', 'a/../../b', '/home/u/Downloads-evil', '/etc', '/', '\\\\host\\share', '//host/share/x']) {
      expect(outside(roots, dir), dir).not.toBeNull();
      expect(() => roots.confine(dir)).toThrow(expect.objectContaining({ code: 'OUTSIDE_DOWNLOADS' }));
    }
  });

  it('win32: UNC and device paths, drive-relative paths and NTFS streams are refused', () => {
    const roots = new DownloadRoots(['C:\\Users\\u\\Downloads', 'D:\\Media'], path.win32);
    expect(roots.confine('C:\\Users\\u\\Downloads\\x').dir).toBe('C:\\Users\\u\\Downloads\\x');
    expect(roots.confine('c:\\users\\U\\downloads\\x').root).toBe('C:\\Users\\u\\Downloads');
    expect(roots.confine('shows\\s1').dir).toBe('C:\\Users\\u\\Downloads\\shows\\s1');
    expect(roots.confine('D:/Media/show').dir).toBe('D:\\Media\\show');
    const refused: Array<[string, RegExp]> = [
      ['\\\\host\\share\\x', /network \(UNC\) or device path/],
      ['//host/share', /network \(UNC\) or device path/],
      ['\\\\.\\C:\\Users\\u\\Downloads', /network \(UNC\) or device path/],
      ['\\\\?\\C:\\Users\\u\\Downloads\\x', /network \(UNC\) or device path/],
      ['\\\\?\\UNC\\host\\share', /network \(UNC\) or device path/],
      ['C:relative', /relative to the current folder of a drive/],
      ['C:\\Users\\u\\Downloads\\clip:stream', /contains ":"/],
      ['C:\\Users\\u\\Downloads\\CON\\x', /folder "CON" that is a device name/],
      ['C:\\Users\\u\\Downloads\\aux.d', /folder "aux.d" that is a device name/],
      ['C:\\Users\\u\\Downloads\\trailing.', /ends with a dot or a space/],
      ['C:\\Users\\u\\Downloads\\sp \\x', /ends with a dot or a space/],
      ['C:\\Users\\u\\Downloads\\what?', /Windows reserves/],
      ['C:\\Users\\u\\Downloads\\..\\elsewhere', /outside the downloads folders/],
      ['E:\\x', /outside the downloads folders/],
      ['..\\x', /outside the downloads folders/],
    ];
    for (const [dir, why] of refused) expect(outside(roots, dir), dir).toMatch(why);
    expect(pathProblem('\\\\host\\share', path.win32)).toMatch(/UNC/);
    expect(() => roots.grant('\\\\host\\share')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => new DownloadRoots(['relative'], path.win32)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });

  it('a granted folder becomes a root; one already inside a root is not repeated', () => {
    const roots = new DownloadRoots(['/d'], path.posix);
    expect(outside(roots, '/mnt/big/x')).not.toBeNull();
    roots.grant('/mnt/big');
    roots.grant('/d/sub');
    expect(roots.list()).toEqual(['/d', '/mnt/big']);
    expect(roots.confine('/mnt/big/x').root).toBe('/mnt/big');
  });
});

describe('downloads stay under their roots (real folders)', () => {
  let server: LoopbackServer;
  let base: { dir: string; dispose: () => void };
  let root: string;
  beforeEach(async () => {
    server = await startLoopbackServer();
    base = tmpDirManual('dl-confine-');
    root = path.join(base.dir, 'Downloads');
    fs.mkdirSync(root);
    server.route('/v.mp4', { content: { size: 5000, seed: 4 } });
  });
  afterEach(async () => {
    await cleanup();
    await server.close();
    base.dispose();
  });

  it('<root>/../elsewhere is refused by the schema, and by the run itself before any mkdir', async () => {
    const download = createVideoDownload({ roots: new DownloadRoots([root]) });
    const input = { url: server.url('/v.mp4'), dir: path.join(root, '..', 'elsewhere'), filename: 'v.mp4' };
    const parsed = download.input.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['dir'], message: expect.stringMatching(/outside the downloads folders/) });
    // A task stored before its folder stopped being allowed (a root removed by the host).
    const err = await Promise.resolve()
      .then(() => download.run({ input, signal: new AbortController().signal } as never))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'OUTSIDE_DOWNLOADS' });
    expect(fs.existsSync(path.join(base.dir, 'elsewhere'))).toBe(false);
    expect(server.stats('/v.mp4').requests).toBe(0);
  });

  it('a symlink inside the root that leads out is refused, and nothing is created behind it', async () => {
    const elsewhere = path.join(base.dir, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, path.join(root, 'link'));
    const download = createVideoDownload({ roots: new DownloadRoots([root]) });
    const err = await createTaskHarness().runExpectingError(download, { url: server.url('/v.mp4'), dir: path.join(root, 'link', 'sub'), filename: 'v.mp4' });
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'OUTSIDE_DOWNLOADS', message: expect.stringContaining('is a link to') });
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(server.stats('/v.mp4').requests).toBe(0);
  });

  it('a symlink that stays inside the roots is followed', async () => {
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    const download = createVideoDownload({ roots: new DownloadRoots([root]) });
    await createTaskHarness().run(download, { url: server.url('/v.mp4'), dir: path.join(root, 'alias', 'sub'), filename: 'v.mp4' });
    expect(fs.readdirSync(path.join(root, 'real', 'sub'))).toEqual(['v.mp4']);
  });

  it('a relative dir lands under the default root, which is created when missing', async () => {
    const fresh = path.join(base.dir, 'not-yet', 'Downloads');
    const download = createVideoDownload({ roots: new DownloadRoots([fresh, root]) });
    const result = (await createTaskHarness().run(download, { url: server.url('/v.mp4'), dir: 'shows/s1', filename: 'v.mp4' })) as { path: string };
    expect(result.path).toBe(path.join(fresh, 'shows', 's1', 'v.mp4'));
  });

  it('the service refuses a task outside its roots with BAD_INPUT and stores nothing; health lists the roots', async () => {
    const granted = path.join(base.dir, 'granted');
    const roots = new DownloadRoots([root, granted]);
    const svc = await startService({ tasks: createAppTasks(roots).tasks, downloadsRoots: () => roots.list() });
    expect(svc.health().downloadsRoots).toEqual([root, granted]);
    for (const [type, dir] of [['video-download', '/etc'], ['video-download', path.join(root, '..', 'x')], ['playlist-import', '\\\\evil\\share']] as const) {
      const err = (() => {
        try {
          svc.create({ type, input: { url: server.url('/v.mp4'), dir } });
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(ServiceError);
      expect(err).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('dir') });
    }
    expect(svc.list().items).toEqual([]);
    const ok = svc.create({ type: 'video-download', input: { url: server.url('/v.mp4'), dir: path.join(granted, 'x'), filename: 'v.mp4' } });
    expect((await waitState(svc, ok.id, 'completed')).result).toMatchObject({ path: path.join(granted, 'x', 'v.mp4') });
  });

  it('a playlist import resolves a relative dir under the default root for its children', async () => {
    const source = { fetch: async () => ({ title: 'Mix', items: [{ id: 'a1', title: 'A', url: server.url('/v.mp4') }] }) };
    const h = createTaskHarness();
    const result = await h.run(createPlaylistImport({ source, roots: new DownloadRoots([root]) }), { url: 'http://h/list', dir: 'lists' });
    expect(result).toMatchObject({ dir: path.join(root, 'lists', 'Mix') });
    expect([...h.children.values()][0]!.input).toMatchObject({ dir: path.join(root, 'lists', 'Mix') });
  });
});
