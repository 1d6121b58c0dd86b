import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, createAppProtocolHandler, isTrustedPageUrl, isTrustedSender, resolveAppPath } from '../src/main/app-protocol';
import { contentSecurityPolicy } from '../src/main/security';
import { tmpDir } from './support/tmp';

/** The app:// handler serves the built renderer and nothing else, always with the CSP. */

function site() {
  const parent = tmpDir();
  const root = path.join(parent, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>x</title>');
  fs.writeFileSync(path.join(root, 'assets', 'main.js'), 'console.log(1)');
  fs.writeFileSync(path.join(parent, 'secret.js'), 'leak');
  const handler = createAppProtocolHandler({ root, readFile: (f) => fs.promises.readFile(f), csp: contentSecurityPolicy() });
  return { root, handler };
}

describe('app:// protocol', () => {
  it('serves the page and its assets with the CSP header and a content type', async () => {
    const { handler } = site();
    const page = await handler(new Request(`${APP_ORIGIN}/`));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(await page.text()).toContain('<title>x</title>');
    const js = await handler(new Request(`${APP_ORIGIN}/assets/main.js`));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
  });

  it('refuses path traversal in every spelling, without reading outside the folder', async () => {
    const { handler, root } = site();
    const reads: string[] = [];
    const spy = createAppProtocolHandler({ root, readFile: async (f) => (reads.push(f), fs.promises.readFile(f)), csp: 'x' });
    for (const p of ['/../secret.js', '/%2e%2e/secret.js', '/assets/..%2f..%2fsecret.js', '/..%5csecret.js', '/assets/%2E%2E/%2E%2E/secret.js', '/index.html%00.js']) {
      const res = await spy(new Request(`${APP_ORIGIN}${p}`));
      expect(res.status, p).not.toBe(200);
      expect(await res.text(), p).not.toBe('leak');
    }
    expect(reads.every((f) => f.startsWith(root + path.sep))).toBe(true);
    expect(resolveAppPath(`${APP_ORIGIN}/..%2fsecret.js`, root)).toMatchObject({ ok: false, status: 400 });
    expect((await handler(new Request(`${APP_ORIGIN}/missing.js`))).status).toBe(404);
  });

  it('refuses other hosts, unknown file kinds and methods other than GET/HEAD', async () => {
    const { handler, root } = site();
    expect((await handler(new Request('app://evil/index.html'))).status).toBe(404);
    expect(resolveAppPath(`${APP_ORIGIN}/index.php`, root)).toMatchObject({ ok: false, status: 404 });
    expect((await handler(new Request(`${APP_ORIGIN}/index.html`, { method: 'POST', body: 'x' }))).status).toBe(405);
    const head = await handler(new Request(`${APP_ORIGIN}/index.html`, { method: 'HEAD' }));
    expect(head.status).toBe(200);
  });

  it('trusts only frames of the app origin (or the given dev origin)', () => {
    expect(isTrustedPageUrl(`${APP_ORIGIN}/index.html`, [APP_ORIGIN])).toBe(true);
    expect(isTrustedPageUrl('app://playlistify.evil/index.html', [APP_ORIGIN])).toBe(false);
    expect(isTrustedPageUrl('https://example.com/', [APP_ORIGIN])).toBe(false);
    expect(isTrustedPageUrl('file:///tmp/index.html', [APP_ORIGIN])).toBe(false);
    expect(isTrustedPageUrl('', [APP_ORIGIN])).toBe(false);
    expect(isTrustedPageUrl('http://localhost:5173/', [APP_ORIGIN, 'http://localhost:5173'])).toBe(true);
  });

  it('gives capabilities only to the top frame of our page, checking its URL on every request (regression: senderFrame.url was not checked)', () => {
    const top = { url: `${APP_ORIGIN}/index.html` };
    const sender = { mainFrame: top };
    expect(isTrustedSender({ senderFrame: top, sender }, [APP_ORIGIN])).toBe(true);
    expect(isTrustedSender({ senderFrame: { url: `${APP_ORIGIN}/index.html` }, sender }, [APP_ORIGIN])).toBe(false); // a subframe
    expect(isTrustedSender({ senderFrame: null, sender }, [APP_ORIGIN])).toBe(false); // frame gone
    top.url = 'https://evil.example/'; // the same frame after a navigation
    expect(isTrustedSender({ senderFrame: top, sender }, [APP_ORIGIN])).toBe(false);
  });
});
