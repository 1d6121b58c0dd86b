import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadRoots } from '../src/task-service/tasks/download/roots';
import { deriveFilename, filenameProblem, sanitizeFilename } from '../src/task-service/tasks/download/safe-path';
import { itemFilename } from '../src/task-service/tasks/playlist-import';
import { createVideoDownload } from '../src/task-service/tasks/video-download';
import { createTaskHarness } from './support/task-context';
import { tmpDirManual } from './support/tmp';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server';

/**
 * Regressions: a server name `filename*=UTF-8''%E2%80%AEgpj.exe` became the file "\u202Egpj.exe"
 * (shown as "exe.jpg"), and caller names accepted Windows device names (CON.mp4), ":" (an NTFS
 * stream) and a trailing dot or space (dropped by Windows, so two names meet on one file).
 * Names we derive are sanitized; names a caller gives are refused with the reason.
 */

const RLO = '\u202E';

// [what, untrusted text, the name we derive from it]
const SANITIZED: Array<[string, string, string]> = [
  ['right-to-left override', `${RLO}gpj.exe`, 'gpj.exe'],
  ['other bidi controls', 'a\u200Fb\u2066c\u2069\u061C.mp4', 'abc.mp4'],
  ['control characters', 'line\nbreak\ttab\u0085.mp4', 'line_break_tab_.mp4'],
  ['line separator', 'a\u2028b.mp4', 'a_b.mp4'],
  ['device name', 'CON', '_CON'],
  ['device name with extension', 'con.mp4', '_con.mp4'],
  ['device name with two extensions', 'Lpt9.tar.gz', '_Lpt9.tar.gz'],
  ['device name, space before the dot', 'COM1 .txt', '_COM1 .txt'],
  ['PRN', 'PRN.mp4', '_PRN.mp4'],
  ['AUX', 'AUX', '_AUX'],
  ['NUL', 'nul.x', '_nul.x'],
  ['COM9', 'COM9.a', '_COM9.a'],
  ['LPT1', 'LPT1', '_LPT1'],
  ['superscript digit device name', 'COM\u00B9.mp4', '_COM\u00B9.mp4'],
  ['not a device name', 'CONSOLE.mp4', 'CONSOLE.mp4'],
  ['not a device name either', 'COM10.mp4', 'COM10.mp4'],
  ['an NTFS stream', 'clip.mp4:evil', 'clip.mp4_evil'],
  ['every reserved character', 'a<b>c:d"e/f\\g|h?i*j.mp4', 'a_b_c_d_e_f_g_h_i_j.mp4'],
  ['trailing dot', 'video.mp4.', 'video.mp4'],
  ['trailing space', 'video.mp4 ', 'video.mp4'],
  ['trailing dots and spaces', 'video . . ', 'video'],
  ['leading dots (hidden)', '..hidden.mp4', 'hidden.mp4'],
  ['only dots', '...', 'download'],
  ['empty', '', 'download'],
  ['nothing left after bidi removal', RLO, 'download'],
  ['the .part suffix', 'x.part', 'x.part_'],
  ['a lone surrogate', 'a\uD800b.mp4', 'a_b.mp4'],
  ['overlong, 2-byte letters: bytes counted, extension kept', `${'é'.repeat(300)}.mp4`, `${'é'.repeat(98)}.mp4`],
  ['overlong, 4-byte emoji: never split, extension kept', `${'😀'.repeat(100)}.webm`, `${'😀'.repeat(48)}.webm`],
  ['overlong without an extension', 'x'.repeat(500), 'x'.repeat(200)],
];

// [what, a caller's name, why it is refused (null: accepted)]
const CALLER: Array<[string, string, RegExp | null]> = [
  ['a plain name', 'clip.mp4', null],
  ['unicode', 'Été à Paris 😀.mp4', null],
  ['right-to-left override', `${RLO}gpj.exe`, /bidirectional/],
  ['device name', 'CON.mp4', /device name Windows reserves/],
  ['device name, lower case, no extension', 'nul', /device name Windows reserves/],
  ['COM and LPT ports', 'com7.mkv', /device name Windows reserves/],
  ['LPT port', 'LPT3', /device name Windows reserves/],
  ['an NTFS stream', 'clip.mp4:evil', /characters <>:"\|\?\* that Windows reserves/],
  ['a star', 'a*b.mp4', /Windows reserves/],
  ['trailing dot', 'clip.mp4.', /ends with a dot or a space/],
  ['trailing space', 'clip.mp4 ', /ends with a dot or a space/],
  ['control character', 'a\u0007b.mp4', /control character/],
  ['path separators', '../x.mp4', /path separator/],
  ['backslash', 'a\\b.mp4', /path separator/],
  ['overlong', 'x'.repeat(201), /longer than 200 bytes/],
  ['the .part suffix', 'x.part', /\.part/],
  ['empty', '', /empty/],
];

describe('names are sanitized (server and playlist names) or refused (caller names)', () => {
  it.each(SANITIZED)('sanitizes %s', (_what, raw, expected) => {
    expect(sanitizeFilename(raw)).toBe(expected);
  });

  it.each(CALLER)('a caller name with %s', (_what, name, problem) => {
    if (problem === null) expect(filenameProblem(name)).toBeNull();
    else expect(filenameProblem(name)).toMatch(problem);
  });

  it('whatever the text, a sanitized name passes the caller rules', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (raw) => {
        expect(filenameProblem(sanitizeFilename(raw))).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('a Content-Disposition name with a right-to-left override loses it', () => {
    expect(deriveFilename(`attachment; filename*=UTF-8''%E2%80%AEgpj.exe`, new URL('http://h/x'), new URL('http://h/x'))).toBe('gpj.exe');
    expect(deriveFilename(`attachment; filename="CON.mp4"`, new URL('http://h/x'), new URL('http://h/x'))).toBe('_CON.mp4');
    expect(deriveFilename(undefined, new URL('http://h/a/clip.mp4%3Aevil'), new URL('http://h/x'))).toBe('clip.mp4_evil');
  });

  it('playlist item names are safe even from hostile titles', () => {
    expect(itemFilename({ id: 'v1', title: `${RLO}4pm.exe`, url: 'http://h/v.mp4' })).toBe('4pm.exe [v1].mp4');
    expect(itemFilename({ id: 'v2', title: 'AUX', url: 'http://h/v.mp4' })).toBe('_AUX [v2].mp4');
  });
});

describe('names end to end', () => {
  let server: LoopbackServer;
  let dir: { dir: string; dispose: () => void };
  beforeEach(async () => {
    server = await startLoopbackServer();
    dir = tmpDirManual('dl-names-');
  });
  afterEach(async () => {
    await server.close();
    dir.dispose();
  });

  it('a server name with a right-to-left override is saved without it', async () => {
    server.route('/v', { content: { size: 1000, seed: 3 }, contentDisposition: `attachment; filename*=UTF-8''%E2%80%AEgpj.exe` });
    const download = createVideoDownload({ roots: new DownloadRoots([dir.dir]) });
    const result = (await createTaskHarness().run(download, { url: server.url('/v'), dir: dir.dir })) as { path: string };
    expect(path.basename(result.path)).toBe('gpj.exe');
    expect(fs.readdirSync(dir.dir)).toEqual(['gpj.exe']);
  });

  it('a caller name that Windows reserves is refused by the schema, before anything runs', () => {
    const download = createVideoDownload({ roots: new DownloadRoots([dir.dir]) });
    for (const filename of ['CON.mp4', 'clip.mp4:stream', 'clip.mp4.', 'clip.mp4 ', `${RLO}gpj.exe`]) {
      const r = download.input.safeParse({ url: 'http://h/x', dir: dir.dir, filename });
      expect(r.success, filename).toBe(false);
    }
  });
});
