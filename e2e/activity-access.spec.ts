import { axeViolations, expect, submitForm, taskRow, test } from './fixtures';

/**
 * Layout and access: usable at 800 and 480 px with Details as a drawer, Escape and focus,
 * contrast and the rest of axe-core's rules in both themes, counts for every state, Clear
 * finished that asks and says what it clears, and where a finished file went.
 */

const MB = 1024 * 1024;

test('at 800 and 480 px: no sideways scrolling, Details is a drawer in view, Escape closes it and focus returns to the row', async ({ app, server }) => {
  server.route('/small.mp4', { content: { size: 1 * MB, seed: 2 } });
  const url = server.url('/small.mp4');
  const { page } = app;
  await submitForm(page, 'Download URL', url, app.downloadsDir);
  const row = taskRow(page, url);
  await expect(row.locator('.badge')).toHaveText('completed');
  for (const width of [800, 480]) {
    await page.setViewportSize({ width, height: 760 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `no sideways scroll at ${width} px`).toBeLessThanOrEqual(width);
    await row.getByRole('button', { name: `Show details of ${url}` }).click();
    const details = page.getByRole('complementary', { name: 'Task details' });
    await expect(details).toBeVisible();
    const box = (await details.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(width + 1);
    expect(box.y).toBeLessThan(760);
    await expect(details.getByRole('list', { name: `History of ${url}` })).toContainText('running → completed');
    await page.keyboard.press('Escape');
    await expect(details).toBeHidden();
    await expect(row.getByRole('button', { name: `Show details of ${url}` })).toBeFocused();
  }
});

test('axe-core finds no violations (contrast included) in the light and the dark theme', async ({ app, server }) => {
  server.route('/ok.mp4', { content: { size: 1 * MB, seed: 4 } });
  server.route('/missing.mp4', { status: 404 });
  server.route('/slow.mp4', { content: { size: 40 * MB, seed: 5 }, bytesPerSecond: 128 * 1024 });
  const { page } = app;
  for (const name of ['ok', 'missing', 'slow']) await submitForm(page, 'Download URL', server.url(`/${name}.mp4`), app.downloadsDir);
  await expect(taskRow(page, '/ok.mp4').locator('.badge')).toHaveText('completed');
  await expect(taskRow(page, '/missing.mp4').locator('.badge')).toHaveText('failed');
  const slow = taskRow(page, '/slow.mp4');
  await expect(slow.locator('.figures')).toContainText('of 40 MB');
  await slow.getByRole('button', { name: /^Pause / }).click();
  await expect(slow.locator('.badge')).toHaveText('paused');
  await taskRow(page, '/missing.mp4').getByRole('button', { name: /^Show details of/ }).click();
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await axeViolations(page), `${colorScheme} theme`).toEqual([]);
  }
});

test('header counts cover every state with a labelled throughput; Clear finished confirms, says what it clears and keeps failed tasks', async ({ app, server }) => {
  server.route('/a.mp4', { content: { size: 1 * MB, seed: 6 } });
  server.route('/gone.mp4', { status: 404 });
  const { page } = app;
  await submitForm(page, 'Download URL', server.url('/a.mp4'), app.downloadsDir);
  await submitForm(page, 'Download URL', server.url('/gone.mp4'), app.downloadsDir);
  await expect(taskRow(page, '/a.mp4').locator('.badge')).toHaveText('completed');
  await expect(taskRow(page, '/gone.mp4').locator('.badge')).toHaveText('failed');

  const counts = page.getByRole('list', { name: 'Task counts' });
  for (const label of ['running', 'queued', 'blocked', 'in progress', 'paused', 'done', 'failed', 'cancelled']) await expect(counts).toContainText(label);
  await expect(counts.getByRole('listitem').filter({ hasText: 'done' })).toHaveText('1 done');
  await expect(counts.getByRole('listitem').filter({ hasText: 'failed' })).toHaveText('1 failed');
  await expect(counts).toContainText(/Throughput: \d+ finished\/min/);

  await page.getByRole('button', { name: 'Clear finished…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Clear finished tasks?' });
  await expect(dialog).toContainText('Remove 1 completed task from the list');
  await expect(dialog).toContainText('1 failed task stays in the list');
  await dialog.getByRole('button', { name: 'Keep them' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('li.task')).toHaveCount(2);
  await page.getByRole('button', { name: 'Clear finished…' }).click();
  await dialog.getByRole('button', { name: 'Remove 1 task' }).click();
  await expect(taskRow(page, '/a.mp4')).toHaveCount(0);
  await expect(taskRow(page, '/gone.mp4')).toHaveCount(1);
});

test('a finished download shows its path; the web host copies it, the desktop app shows it in its folder', async ({ app, server }, testInfo) => {
  server.route('/named.mp4', { content: { size: 1 * MB, seed: 8 } });
  const url = server.url('/named.mp4');
  const { page } = app;
  await submitForm(page, 'Download URL', url, app.downloadsDir);
  const row = taskRow(page, url);
  await expect(row.locator('.badge')).toHaveText('completed');
  const full = `${app.downloadsDir}/named.mp4`;
  await expect(row.locator('.file')).toHaveText(`→ named.mp4 in ${app.downloadsDir}`);
  if (testInfo.project.name === 'web') {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await row.getByRole('button', { name: /^Copy path of/ }).click();
    await expect(row.getByRole('button', { name: /^Copied of|Copy path of/ })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(full);
    await expect(row.getByRole('button', { name: /^Show in folder/ })).toBeHidden();
  } else {
    await expect(row.getByRole('button', { name: /^Show in folder of/ })).toBeVisible();
    await expect(row.getByRole('button', { name: /^Open of/ })).toBeVisible();
  }
});

test('keyboard: arrows move between rows, / focuses search, C cancels the focused row', async ({ app, server }) => {
  server.route('/k1.mp4', { content: { size: 256 * 1024, seed: 21 } });
  server.route('/k2.mp4', { content: { size: 64 * MB, seed: 22 }, bytesPerSecond: 256 * 1024 });
  const { page } = app;
  await submitForm(page, 'Download URL', server.url('/k1.mp4'), app.downloadsDir);
  await expect(taskRow(page, '/k1.mp4').locator('.badge')).toHaveText('completed');
  await submitForm(page, 'Download URL', server.url('/k2.mp4'), app.downloadsDir);
  const k2 = taskRow(page, '/k2.mp4');
  await expect(k2.locator('.badge')).toHaveText('running');
  // Newest first: k2, then k1.
  await k2.locator('.title').focus();
  await page.keyboard.press('ArrowDown');
  await expect(taskRow(page, '/k1.mp4').locator('.title')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(k2.locator('.title')).toBeFocused();
  await page.keyboard.press('c');
  await expect(k2.locator('.badge')).toHaveText('cancelled');
  await expect(k2.locator('.title')).toBeFocused();
  await page.keyboard.press('/');
  await expect(page.getByLabel('Search', { exact: true })).toBeFocused();
});
