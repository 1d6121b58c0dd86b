import { startWebDev } from '../src/main/web-dev';
import { expect, test } from './fixtures';

// Regression (issue 12): a second instance on the same data folder showed "Reconnecting..."
// forever; only its terminal said SERVICE_LOCKED. The page now says so, and its forms stay off.
// Browser dev host only: under Electron the single-instance lock hands focus to the first
// window instead, so the electron project does not list this file (playwright.config.ts).
test('a second instance on the same data folder says another instance holds it', async ({ app }) => {
  await expect(app.page.locator('[data-state="live"]').first()).toBeVisible();
  const second = await startWebDev({ userDataDir: app.dataDir, stdio: { log: () => {} } });
  try {
    const context = await app.page.context().browser()!.newContext();
    const page = await context.newPage();
    await page.goto(second.url);
    await expect(page.getByText('Another Playlistify is already using this data folder')).toBeVisible();
    await expect(page.getByText(/SERVICE_LOCKED/).first()).toBeVisible();
    await context.close();
  } finally {
    await second.close();
  }
});
