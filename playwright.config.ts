import { defineConfig } from '@playwright/test';

/**
 * The same specs (e2e/) against two hosts: `web` (Debian Chromium + the Node host, everywhere)
 * and `electron` (Playwright's _electron under xvfb, where the binary is installed). Screenshots
 * are kept for every test in test-results/.
 */

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 2,
  reporter: [['list']],
  use: {
    screenshot: 'on',
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
    { name: 'electron', use: {} },
  ],
});
