// `tsx bench/run.ts ui` (or `tsx bench/ui.ts`): the Activity Center under load, in Debian
// Chromium through Playwright, against the same page with 10 tasks measured in the same run.
// Each scenario seeds a fresh database through the real service (tasks delayed a day, so
// they stay queued), opens the page in the browser dev host, starts 3 fast downloads from the
// page's form, then measures in the page: first paint of all rows, frame rate, typing lag,
// search and state-filter time. Figures, not a timed test: it prints JSON and checks nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { buildRenderer, DEFAULT_SERVICE_ENTRY, startWebDev } from '../src/main/web-dev';
import { databasePath } from '../src/main/app-config';
import { createServiceClient } from '../src/shared/client';
import { startNodeHost } from '../src/task-service/node-host/host';
import { startLoopbackServer, type LoopbackServer } from '../test/support/loopback-server';
import { UI_PAGE_PROBES, type Probes } from './ui-probes';

const QUICK = process.env.BENCH_QUICK === '1';
const BIG = QUICK ? 2_000 : 10_000;
const BASE = 10;
const MB = 1024 * 1024;
const CHUNK = 1_000;
const DAY = 24 * 3600 * 1000;

/** Creates `n` delayed downloads in a fresh data folder, through the real service, then stops it. */
async function seed(dataDir: string, n: number): Promise<void> {
  const host = startNodeHost({ entry: DEFAULT_SERVICE_ENTRY, config: { dbPath: databasePath(dataDir), downloadsDir: path.join(dataDir, 'downloads') }, stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    host.onMessage((m) => (m as { type?: string } | null)?.type === 'ready' && resolve());
    void host.exit.then((e) => reject(new Error(`seeding service exited: ${e.reason}`)));
  });
  const client = createServiceClient({ port: host.connect() });
  const trpc = client.trpc;
  const runAt = Date.now() + DAY;
  for (let start = 0; start < n; start += CHUNK) {
    const tasks = Array.from({ length: Math.min(CHUNK, n - start) }, (_, i) => {
      const k = start + i;
      return { key: `k${k}`, type: 'video-download', title: `Clip number ${k} of the archive`, runAt, input: { url: `http://127.0.0.1:9/clip-${k}.mp4`, dir: path.join(dataDir, 'downloads') } };
    });
    await trpc.tasks.createGraph.mutate({ tasks });
  }
  client.close();
  await host.stop();
}

async function submit(page: Page, url: string, dir: string): Promise<void> {
  const f = page.getByRole('form', { name: 'Download URL' });
  await f.getByLabel('URL').fill(url);
  await f.getByLabel('Folder').fill(dir);
  await f.getByRole('button').click();
}

interface Scenario {
  tasks: number;
  domContentLoadedMs: number;
  /** The first page of the listing on screen. */
  firstRowsMs: number;
  /** Every task listed and the list painted. */
  firstPaintMs: number;
  domRows: number;
  fps: number;
  typingLagP50Ms: number;
  typingLagP95Ms: number;
  searchMs: number[];
  filterMs: number[];
}

async function scenario(browser: Browser, server: LoopbackServer, rendererDir: string, n: number, tag: string): Promise<Scenario> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `playlistify-bench-ui-${tag}-`));
  const downloads = path.join(dataDir, 'downloads');
  fs.mkdirSync(downloads, { recursive: true });
  await seed(dataDir, n);
  const dev = await startWebDev({ userDataDir: dataDir, rendererDir, downloadsDir: downloads, stdio: 'ignore' });
  // First paint is the page's figure, not the service's start-up: open the page once it runs.
  await new Promise<void>((resolve) => {
    if (dev.supervisor.state.kind === 'running') return resolve();
    const off = dev.supervisor.onState((st) => st.kind === 'running' && (off(), resolve()));
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  try {
    await page.goto(dev.url);
    // First rows on screen, then all rows known and painted (the list's count covers every
    // seeded task); both from navigation start, polled every frame.
    const rowsAt = (want: number) =>
      page
        .waitForFunction(
          (w) => (Number(document.querySelector('ul.tasks')?.getAttribute('data-count') ?? 0) >= w ? performance.now() : false),
          want,
          { polling: 'raf', timeout: 120_000 },
        )
        .then((h) => h.jsonValue() as Promise<number>);
    const firstRowsMs = await rowsAt(1);
    const firstPaintMs = await rowsAt(n);
    const domContentLoadedMs = await page.evaluate(`performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd`) as number;
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 60_000 });
    for (let i = 0; i < 3; i++) await submit(page, server.url(`/fast-${i}.mp4`), downloads);
    await page.locator('li.task .badge', { hasText: 'running' }).nth(2).waitFor({ timeout: 60_000 }).catch(async (e) => {
      if (process.env.BENCH_UI_SHOT) await page.screenshot({ path: process.env.BENCH_UI_SHOT });
      throw e;
    });
    await page.evaluate(UI_PAGE_PROBES);
    // Called as expression strings, for the same reason the probes are a string.
    const probes = <K extends keyof Probes>(name: K, ...args: Parameters<Probes[K]>) =>
      page.evaluate(`window.__probes.${name}(${args.map((a) => JSON.stringify(a)).join(', ')})`) as Promise<Awaited<ReturnType<Probes[K]>>>;
    const fps = await probes('frameRate', QUICK ? 2000 : 5000);
    // Typing into the form while the downloads tick: lag from the key event to the next frame.
    await page.getByRole('form', { name: 'Download URL' }).getByLabel('URL').click();
    await probes('startTypingLag');
    await page.keyboard.type('https://example.com/a-rather-long-video-address', { delay: 60 });
    const lags = await probes('stopTypingLag');
    const searchMs: number[] = [];
    for (const q of ['clip number 42', 'archive', 'fast-1', '']) searchMs.push(await probes('search', q));
    const filterMs: number[] = [];
    for (const f of ['running', 'queued', 'failed', 'all']) filterMs.push(await probes('filter', f));
    const domRows = await page.locator('li.task').count();
    return { tasks: n, domContentLoadedMs: Math.round(domContentLoadedMs), firstRowsMs: Math.round(firstRowsMs), firstPaintMs: Math.round(firstPaintMs), domRows, fps, typingLagP50Ms: pct(lags, 0.5), typingLagP95Ms: pct(lags, 0.95), searchMs, filterMs };
  } finally {
    await page.close();
    await dev.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 10) / 10;
}

export async function run(): Promise<Record<string, unknown>> {
  const server = await startLoopbackServer();
  for (let i = 0; i < 3; i++) server.route(`/fast-${i}.mp4`, { content: { size: 1024 * MB, seed: 40 + i }, bytesPerSecond: 6 * MB });
  const rendererDir = await buildRenderer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
  try {
    const baseline = await scenario(browser, server, rendererDir, BASE, 'base');
    const big = await scenario(browser, server, rendererDir, BIG, 'big');
    const maxMs = (xs: number[]) => Math.max(...xs);
    return {
      baseline,
      big,
      targets: {
        frameRateRatio: { value: Math.round((big.fps / baseline.fps) * 100) / 100, target: '>= 0.8' },
        typingLagP50Ms: { value: big.typingLagP50Ms, baseline: baseline.typingLagP50Ms, target: '<= 50' },
        searchMaxMs: { value: maxMs(big.searchMs), baseline: maxMs(baseline.searchMs), target: '<= 100' },
        filterMaxMs: { value: maxMs(big.filterMs), baseline: maxMs(baseline.filterMs), target: '<= 100' },
        firstPaintMs: { value: big.firstPaintMs, baseline: baseline.firstPaintMs, target: '<= 1500' },
      },
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
