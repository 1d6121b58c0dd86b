import { execFileSync } from 'node:child_process';
import type { FullConfig } from '@playwright/test';
import { buildRenderer } from '../src/main/web-dev';
import { electronBinary } from './electron-binary';

/** Builds what the hosts serve: the renderer for `web`, the whole app for `electron`. */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const projects = new Set(config.projects.map((p) => p.name));
  if (projects.has('web')) await buildRenderer();
  if (!projects.has('electron')) return;
  // Without the binary the electron project has no tests (playwright.config.ts); scripts/e2e.ts says so.
  if (electronBinary() !== null) {
    execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'inherit' });
  }
}
