import { defineConfig } from '@playwright/test';
import { ELECTRON_MISSING, electronBinary } from './e2e/electron-binary';

/**
 * The same specs (e2e/) against two hosts: `web` (Debian Chromium + the Node host, everywhere)
 * and `electron` (Playwright's _electron under xvfb, where the binary is installed; without it
 * the project has no tests, and `npm run test:e2e` says so in one line). Screenshots are kept
 * (named ones, the final page, and the service log) for every test in test-results/.
 */

const hasElectron = electronBinary() !== null;

/** The projects named on the command line (`--project=x` / `--project x`), or [] for all. */
function selectedProjects(argv: readonly string[]): string[] {
  return argv.flatMap((a, i) => (a.startsWith('--project=') ? [a.slice('--project='.length)] : a === '--project' && argv[i + 1] ? [argv[i + 1]!] : []));
}

// Without the binary, a run that includes the electron project says so once (workers load
// this file too: they stay quiet). Asked for electron alone, it then runs nothing and
// succeeds, rather than failing with Playwright's "No tests found".
const selected = selectedProjects(process.argv);
if (!hasElectron && process.env.TEST_WORKER_INDEX === undefined && (selected.length === 0 || selected.includes('electron'))) {
  console.log(ELECTRON_MISSING);
  if (selected.length > 0 && selected.every((p) => p === 'electron')) process.exit(0);
}

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results',
  // Generous: on two busy cores each test starts a browser and a service; the specs wait on
  // conditions, never on time.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'web',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
        },
      },
    },
    // second-instance: a web-host page; Electron's single-instance lock focuses the first window.
    { name: 'electron', use: {}, testIgnore: hasElectron ? /second-instance\.spec\.ts$/ : /.*/ },
  ],
});
