import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../src/task-service/engine/define';
import { HttpJsonManifestSource, MANIFEST_LIMITS, playlistImport } from '../src/task-service/tasks';
import { createTaskHarness } from './support/task-context';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server';

let server: LoopbackServer;

beforeEach(async () => {
  server = await startLoopbackServer();
});
afterEach(async () => {
  await server.close();
});

const fetchFrom = (route: string): Promise<unknown> => new HttpJsonManifestSource({ idleTimeoutMs: 2000 }).fetch(server.url(route), new AbortController().signal).catch((e: unknown) => e);
const item = { id: 'a', title: 'A', url: 'http://127.0.0.1/a' };

describe('manifest validation', () => {
  it.each([
    ['not JSON', '{"title": "x", items: [', /not valid JSON/],
    ['an array', '[]', /not a valid manifest.*\(root\)/],
    ['no items', JSON.stringify({ title: 'x' }), /items/],
    ['items not an array', JSON.stringify({ title: 'x', items: {} }), /items/],
    ['an item without url', JSON.stringify({ title: 'x', items: [{ id: 'a', title: 'A' }] }), /items\.0\.url/],
    ['a file: url', JSON.stringify({ title: 'x', items: [{ ...item, url: 'file:///etc/passwd' }] }), /items\.0\.url: must be an http/],
    ['an empty id', JSON.stringify({ title: 'x', items: [{ ...item, id: '' }] }), /items\.0\.id/],
    ['a control character in an id', JSON.stringify({ title: 'x', items: [{ ...item, id: 'a\nb' }] }), /items\.0\.id/],
    ['an id too long for a dedupe key', JSON.stringify({ title: 'x', items: [{ ...item, id: 'x'.repeat(191) }] }), /items\.0\.id/],
  ])('refuses %s with BAD_INPUT', async (_label, body, message) => {
    server.route('/m', { body, contentType: 'application/json' });
    const err = await fetchFrom('/m');
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(message) });
  });

  it('refuses more than 10,000 items', async () => {
    const items = Array.from({ length: MANIFEST_LIMITS.items + 1 }, (_, i) => ({ ...item, id: `i${i}` }));
    server.route('/m', { json: { title: 'big', items } });
    expect(await fetchFrom('/m')).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('10001 items') });
  });

  it('refuses a body over 5 MiB announced by Content-Length, without reading it', async () => {
    server.route('/m', { json: { title: 'x', items: [], pad: 'p'.repeat(MANIFEST_LIMITS.bytes) } });
    expect(await fetchFrom('/m')).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('limited to 5242880 bytes') });
  });

  it('refuses an oversized body sent without Content-Length, stopping at the limit', async () => {
    server.route('/m', { content: { size: 64 * 1024 * 1024, seed: 1 }, omitContentLength: true });
    expect(await fetchFrom('/m')).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('more than 5242880 bytes') });
    expect(server.stats('/m').bytesSent).toBeLessThan(32 * 1024 * 1024);
  });

  it('accepts extra metadata fields and drops them', async () => {
    server.route('/m', { json: { title: 'x', uploader: 'u', items: [{ ...item, duration: 12 }] } });
    expect(await fetchFrom('/m')).toEqual({ title: 'x', items: [item] });
  });

  it('a 404 is permanent, a 500 retryable, a dropped connection retryable', async () => {
    server.route('/404', { status: 404 });
    server.route('/500', { fail500Times: 5, json: {} });
    server.route('/cut', { body: JSON.stringify({ title: 'x', items: [] }).padEnd(1000, ' '), disconnectAfterBytes: 10 });
    expect(await fetchFrom('/404')).toBeInstanceOf(PermanentError);
    expect(await fetchFrom('/500')).toBeInstanceOf(RetryableError);
    expect(await fetchFrom('/cut')).toMatchObject({ code: 'NETWORK' });
  });

  it('the import task fails with the same clear error and spawns nothing', async () => {
    // JSON by its Content-Type (any other answer is handed to yt-dlp), but not valid JSON.
    server.route('/m', { body: 'nope', contentType: 'application/json' });
    const h = createTaskHarness();
    const err = await h.runExpectingError(playlistImport, { url: server.url('/m'), dir: '/tmp' });
    expect(err).toMatchObject({ code: 'BAD_INPUT' });
    expect(h.spawnCalls).toEqual([]);
  });
});
