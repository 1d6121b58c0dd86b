import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron, test as base, expect, type ElectronApplication, type Page, type TestInfo } from '@playwright/test';
import { startWebDev, type WebDev } from '../src/main/web-dev';
import { startLoopbackServer, type LoopbackServer } from '../test/support/loopback-server';
import { ELECTRON_MISSING, electronBinary } from './electron-binary';

const require = createRequire(import.meta.url);

/**
 * One fixture, two hosts: `app.page` is the Activity Center connected to a fresh service with
 * its own data folder, whichever project runs. `killService` SIGKILLs the service process (the
 * host's supervisor restarts it); `restart` stops the whole host and starts it again on the
 * same data folder.
 */

export interface App {
  readonly page: Page;
  readonly dataDir: string;
  readonly downloadsDir: string;
  killService(): Promise<void>;
  restart(): Promise<void>;
}

interface Host {
  page: Page;
  servicePid(): Promise<number | undefined>;
  close(): Promise<void>;
}

async function startWeb(dataDir: string, newPage: () => Promise<Page>, log: (line: string) => void): Promise<Host> {
  const dev: WebDev = await startWebDev({ userDataDir: dataDir, stdio: { log }, supervisor: { baseDelayMs: 200 } });
  const page = await newPage();
  await page.goto(dev.url);
  return { page, servicePid: async () => dev.servicePid(), close: () => dev.close() };
}

async function startElectron(dataDir: string): Promise<Host> {
  const app: ElectronApplication = await _electron.launch({
    executablePath: electronBinary()!,
    // Chromium refuses to run as root with its OS sandbox (CI runs as root); the page keeps
    // contextIsolation and Electron's renderer sandbox either way.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), path.resolve('out/main/index.js'), `--user-data-dir=${dataDir}`, `--downloads-dir=${path.join(dataDir, 'downloads')}`],
    env: { ...process.env, PLAYLISTIFY_USER_DATA: dataDir } as Record<string, string>,
  });
  const page = await app.firstWindow();
  return {
    page,
    servicePid: () => app.evaluate(() => (globalThis as { __playlistify?: { servicePid(): number | undefined } }).__playlistify?.servicePid()),
    close: () => app.close(),
  };
}

export const test = base.extend<{ app: App; server: LoopbackServer }>({
  server: async ({}, use) => {
    const server = await startLoopbackServer();
    await use(server);
    await server.close();
  },
  // Not built on the `page`/`context` fixtures: those would launch Chromium for the electron
  // project too. The web host gets its own browser with the project's launch options.
  app: async ({ playwright }, use, testInfo) => {
    const electron = testInfo.project.name === 'electron';
    // playwright.config.ts gives the electron project no tests when the binary is missing.
    if (electron && electronBinary() === null) throw new Error(ELECTRON_MISSING);
    const browser = electron ? null : await playwright.chromium.launch(testInfo.project.use.launchOptions);
    const newPage = async () => browser!.newPage();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'playlistify-e2e-'));
    const downloadsDir = path.join(dataDir, 'downloads');
    fs.mkdirSync(downloadsDir, { recursive: true });
    const serviceLog: string[] = [];
    const launch = () => (electron ? startElectron(dataDir) : startWeb(dataDir, newPage, (line) => serviceLog.push(line)));
    let host = await launch();
    const app: App = {
      get page() {
        return host.page;
      },
      dataDir,
      downloadsDir,
      async killService() {
        const pid = await host.servicePid();
        expect(pid, 'the service is running').toBeDefined();
        process.kill(pid!, 'SIGKILL');
      },
      async restart() {
        await host.close();
        host = await launch();
      },
    };
    await expect(app.page.getByRole('status')).toHaveText('Live');
    await use(app);
    await snap(host.page, testInfo, 'final').catch(() => {});
    await host.close();
    if (serviceLog.length > 0) {
      // Kept beside the screenshots in test-results/, for a failure to be read later.
      const file = testInfo.outputPath('service.log');
      fs.writeFileSync(file, `${serviceLog.join('\n')}\n`);
      await testInfo.attach('service-log', { path: file, contentType: 'text/plain' });
    }
    await browser?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  },
});

export { expect };

/** The list item of a task, found by text in its title (the URL, for tasks made from a form). */
export function taskRow(page: Page, title: string) {
  return page.locator('li.task', { has: page.locator('.line1 .title', { hasText: title }) });
}

/** axe-core's findings on the page as it is now (the source is evaluated: the page's CSP forbids injected script tags). */
export async function axeViolations(page: Page): Promise<Array<{ id: string; nodes: Array<{ target: unknown; failureSummary?: string }> }>> {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown; failureSummary?: string }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

/** Submits one of the two forms ("Import playlist" / "Download URL"). */
export async function submitForm(page: Page, form: 'Import playlist' | 'Download URL', url: string, dir: string): Promise<void> {
  const f = page.getByRole('form', { name: form });
  await f.getByLabel('URL').fill(url);
  await f.getByLabel('Folder').fill(dir);
  await f.getByRole('button').click();
}

/** A full-page screenshot saved as `<name>.png` in the test's output folder and attached to the report. */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}
