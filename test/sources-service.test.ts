import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Task, TaskEvent } from '../src/shared/task';
import { tmpDir } from './support/tmp';
import { killAll, startService, type ServiceProcess } from './support/service-process';
import { bytesOf, sha256, startMediaSite, type MediaSite } from './support/media-site';

/**
 * Real sources through the real service process: an RSS feed imported with yt-dlp (parent
 * retitled, one child per entry), imported again without fetching a media byte or making
 * copies, and a service whose PATH has no yt-dlp (pages fail clearly; manifests and direct
 * media still work; service.health says so).
 */

let site: MediaSite;
const A = bytesOf(31, 120_000);
const B = bytesOf(32, 80_000);
const PATIENT = { timeout: 60_000, interval: 100 };

beforeAll(async () => {
  site = await startMediaSite();
  site.media('a.mp4', A);
  site.media('b.mp4', B);
  site.page('clip', 'Clip', 'a.mp4');
  site.feed('Weekly Show', [{ title: 'Episode 1', name: 'a.mp4', guid: 'ep-1' }, { title: 'Episode 2', name: 'b.mp4' }]);
});
afterEach(() => killAll());
afterAll(() => site.close());

async function settled(svc: ServiceProcess, id: string): Promise<Task> {
  await vi.waitFor(async () => expect(['completed', 'failed', 'cancelled']).toContain((await svc.client().tasks.get.query({ id })).state), PATIENT);
  return (await svc.client().tasks.get.query({ id })) as Task;
}

async function eventsOf(svc: ServiceProcess, id: string): Promise<TaskEvent[]> {
  return (await svc.client().tasks.events.query({ id, limit: 500 })).items as TaskEvent[];
}

const mediaGets = (): number => [...site.hits('a.mp4'), ...site.hits('b.mp4')].filter((h) => h.method === 'GET').length;

describe('sources in the service', { timeout: 120_000 }, () => {
  it('imports an RSS feed through yt-dlp; a re-import fetches no media bytes and makes no copies', async () => {
    const dir = tmpDir();
    const svc = startService({ dbPath: path.join(dir, 'tasks.db') });
    await svc.ready;
    const url = site.url('/feed.xml');
    const first = await svc.client().tasks.create.mutate({ type: 'playlist-import', input: { url, dir }, title: url });
    const done = await settled(svc, first.id);
    expect(done).toMatchObject({ state: 'completed', title: 'Weekly Show' });
    expect((await eventsOf(svc, first.id)).filter((e) => e.kind === 'title').map((e) => e.data)).toEqual([{ title: 'Weekly Show' }]);
    const kids = (await svc.client().tasks.list.query({ parentId: first.id })).items as Task[];
    expect(kids.map((k) => [k.spawnKey?.startsWith('url-') ? 'url-…' : k.spawnKey, k.title, k.state]).sort()).toEqual([
      ['ep-1', 'Episode 1', 'completed'],
      ['url-…', 'Episode 2', 'completed'],
    ]);
    const folder = path.join(dir, 'Weekly Show');
    const files = fs.readdirSync(folder).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toBe('Episode 1 [ep-1].mp4');
    expect(sha256(fs.readFileSync(path.join(folder, files[0]!)))).toBe(sha256(A));
    expect(sha256(fs.readFileSync(path.join(folder, files[1]!)))).toBe(sha256(B));

    const getsBefore = mediaGets();
    const again = await svc.client().tasks.create.mutate({ type: 'playlist-import', input: { url, dir } });
    expect(await settled(svc, again.id)).toMatchObject({ state: 'completed' });
    const kids2 = (await svc.client().tasks.list.query({ parentId: again.id })).items as Task[];
    expect(kids2.map((k) => (k.result as { alreadyDownloaded?: boolean }).alreadyDownloaded)).toEqual([true, true]);
    expect(mediaGets()).toBe(getsBefore); // HEAD only: not one media byte
    expect(fs.readdirSync(folder).sort()).toEqual(files); // no "name (1).mp4"
  });

  it('an entry that is gone becomes a failed child with a clear message; the other entries still download and the import completes', async () => {
    const other = await startMediaSite();
    try {
      other.media('ok.mp4', B);
      other.feed('Half Gone', [{ title: 'Still here', name: 'ok.mp4', guid: 'ok' }, { title: 'Deleted video', name: '', guid: 'gone', href: `${other.origin}/page/deleted` }]);
      const dir = tmpDir();
      const svc = startService({ dbPath: path.join(dir, 'tasks.db') });
      await svc.ready;
      const parent = await svc.client().tasks.create.mutate({ type: 'playlist-import', input: { url: other.url('/feed.xml'), dir } });
      await vi.waitFor(async () => {
        const kids = (await svc.client().tasks.list.query({ parentId: parent.id })).items as Task[];
        expect(kids.map((k) => k.state).sort()).toEqual(['completed', 'failed']);
      }, PATIENT);
      const kids = (await svc.client().tasks.list.query({ parentId: parent.id })).items as Task[];
      const gone = kids.find((k) => k.spawnKey === 'gone')!;
      expect(gone).toMatchObject({ title: 'Deleted video', attempt: 1, error: { code: 'HTTP_ERROR', retryable: false } });
      expect(gone.error!.message).toMatch(/HTTP 404 from .*\/page\/deleted/);
      expect(fs.readdirSync(path.join(dir, 'Half Gone'))).toEqual(['Still here [ok].mp4']);
      // ... and it does not fail the import (issue 11): the parent completes with the rest.
      await vi.waitFor(async () => expect(await svc.client().tasks.get.query({ id: parent.id })).toMatchObject({ state: 'completed', error: null }), PATIENT);
    } finally {
      await killAll();
      await other.close();
    }
  });

  it('resolves a pasted page, retitles the task with the video title and journals what yt-dlp said', async () => {
    const dir = tmpDir();
    const svc = startService({ dbPath: path.join(dir, 'tasks.db') });
    await svc.ready;
    const url = site.url('/page/clip');
    const task = await svc.client().tasks.create.mutate({ type: 'video-download', input: { url, dir }, title: url });
    expect(await settled(svc, task.id)).toMatchObject({ state: 'completed', title: 'Clip (1)', result: { path: path.join(dir, 'Clip (1) [clip-1].mp4') } });
    const logs = (await eventsOf(svc, task.id)).filter((e) => e.kind === 'log').map((e) => (e.data as { line: string }).line);
    expect(logs.some((l) => l.startsWith('yt-dlp: '))).toBe(true);
    const health = await svc.client().service.health.query();
    expect(health.ytdlp).toMatchObject({ path: expect.stringMatching(/yt-dlp$/), version: expect.stringMatching(/^\d{4}\./) });
  });

  it('without yt-dlp on PATH: a page fails with YTDLP_MISSING; a direct media URL and a JSON manifest still work', async () => {
    const dir = tmpDir();
    const svc = startService({ dbPath: path.join(dir, 'tasks.db') }, { PATH: tmpDir(), PLAYLISTIFY_YTDLP: '' });
    await svc.ready;
    const c = svc.client();
    const page = await c.tasks.create.mutate({ type: 'video-download', input: { url: site.url('/page/clip'), dir } });
    const failed = await settled(svc, page.id);
    expect(failed).toMatchObject({ state: 'failed', attempt: 1, error: { code: 'YTDLP_MISSING', retryable: false } });
    expect(failed.error!.message).toMatch(/apt-get install yt-dlp/);

    const direct = await c.tasks.create.mutate({ type: 'video-download', input: { url: site.url('/media/b.mp4'), dir } });
    expect(await settled(svc, direct.id)).toMatchObject({ state: 'completed', result: { path: path.join(dir, 'b.mp4'), sha256: sha256(B) } });

    site.json('/manifest.json', { title: 'Manifest list', items: [{ id: 'm1', title: 'only', url: site.url('/media/a.mp4') }] });
    const m = await c.tasks.create.mutate({ type: 'playlist-import', input: { url: site.url('/manifest.json'), dir } });
    expect(await settled(svc, m.id)).toMatchObject({ state: 'completed', title: 'Manifest list' });
    expect(fs.readFileSync(path.join(dir, 'Manifest list', 'only [m1].mp4')).equals(A)).toBe(true);

    expect((await c.service.health.query()).ytdlp).toMatchObject({ path: null, version: null });
  });
});
