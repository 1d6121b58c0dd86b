import { defineConfig } from '@playwright/test';
import { electronBinary } from './e2e/electron-binary';

/**
 * The same specs (e2e/) against two hosts: `web` (Debian Chromium + the Node host, everywhere)
 * and `electron` (Playwright's _electron under xvfb, where the binary is installed; without it
 * the project has no tests, and `npm run test:e2e` says so in one line). Screenshots are kept
 * (named ones, the final page, and the service log) for every test in test-results/.
 */

const hasElectron = electronBinary() !== null;

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
    { name: 'electron', use: {}, ...(hasElectron ? {} : { testIgnore: /.*/ }) },
  ],
});
