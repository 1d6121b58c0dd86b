// `npm run screenshot`: docs/activity-center.png, the Activity Center as a person sees it with
// a few tasks in it: a playlist whose children are downloading, one finished download and one
// that failed. Everything is real: the browser dev host, the service entry under the Node host,
// and Debian Chromium; the videos come from the loopback test server on 127.0.0.1.
// Flags: --out=FILE (default docs/activity-center.png). CHROMIUM_PATH overrides /usr/bin/chromium.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { buildRenderer, startWebDev } from '../src/main/web-dev';
import { startLoopbackServer } from '../test/support/loopback-server';

const MB = 1024 * 1024;
const outArg = process.argv.find((a) => a.startsWith('--out='));
const out = path.resolve(outArg ? outArg.slice('--out='.length) : 'docs/activity-center.png');
const WAIT = { timeout: 60_000 };

async function submit(page: Page, form: 'Import playlist' | 'Download URL', url: string, dir: string): Promise<void> {
  const f = page.getByRole('form', { name: form });
  await f.getByLabel('URL').fill(url);
  await f.getByLabel('Folder').fill(dir);
  await f.getByRole('button').click();
}

function row(page: Page, title: string) {
  return page.locator('li.task', { has: page.locator('.line1 .title', { hasText: title }) });
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'playlistify-shot-'));
const downloads = path.join(dataDir, 'Videos');
fs.mkdirSync(downloads);
const server = await startLoopbackServer();
const rendererDir = await buildRenderer();
const dev = await startWebDev({ userDataDir: dataDir, rendererDir, stdio: 'ignore' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(dev.url);
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor(WAIT);

  // Finished first: the playlist's children below take the three download slots.
  server.route('/trailer.mp4', { content: { size: 3 * MB, seed: 1 } });
  await submit(page, 'Download URL', server.url('/trailer.mp4'), downloads);
  await row(page, '/trailer.mp4').locator('.badge', { hasText: 'completed' }).waitFor(WAIT);

  server.route('/gone.mp4', { status: 404 });
  await submit(page, 'Download URL', server.url('/gone.mp4'), downloads);
  await row(page, '/gone.mp4').locator('.badge', { hasText: 'failed' }).waitFor(WAIT);

  const titles = ['Coastal highway at dawn', 'Desert crossing', 'Mountain pass timelapse', 'Night drive into the city'];
  const items = titles.map((title, i) => ({ id: `v${i}`, title, url: server.url(`/road-${i}.mp4`) }));
  items.forEach((_, i) => server.route(`/road-${i}.mp4`, { content: { size: 24 * MB, seed: 10 + i }, bytesPerSecond: (700 + 300 * i) * 1024 }));
  server.route('/road-trip.json', { json: { title: 'Road trip 2024', items } });
  await submit(page, 'Import playlist', server.url('/road-trip.json'), downloads);
  await page.locator('li.task.child .badge', { hasText: 'running' }).nth(2).waitFor(WAIT);
  // Open the failed task's details, then let the bars fill a little and speeds settle.
  await row(page, '/gone.mp4').getByRole('button', { name: /Show details of/ }).click();
  await page.getByRole('list', { name: /History of/ }).getByText('failed').first().waitFor(WAIT);
  await page.waitForFunction(
    () => [...document.querySelectorAll('li.task.child [role=progressbar]')].filter((b) => Number(b.getAttribute('aria-valuenow')) >= 15).length >= 3,
    undefined,
    WAIT,
  );
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`screenshot: wrote ${path.relative(process.cwd(), out)}`);
} finally {
  await browser.close();
  await dev.close();
  await server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
