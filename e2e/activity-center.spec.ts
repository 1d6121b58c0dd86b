import fs from 'node:fs';
import path from 'node:path';
import { expect, snap, submitForm, taskRow, test } from './fixtures';

/**
 * The Activity Center end to end, once for both hosts. Downloads come from the loopback
 * server; slow routes keep a download running long enough to act on it.
 */

const MB = 1024 * 1024;

test('imports a playlist: children appear under the parent, progress, and all complete', async ({ app, server }, testInfo) => {
  const items = [1, 2, 3].map((n) => ({ id: `v${n}`, title: `Video ${n}`, url: server.url(`/v${n}.mp4`) }));
  items.forEach((item, i) => server.route(`/v${i + 1}.mp4`, { content: { size: 2 * MB, seed: i + 1 }, bytesPerSecond: 512 * 1024 }));
  server.route('/playlist.json', { json: { title: 'Road trip', items } });
  const { page } = app;

  await submitForm(page, 'Import playlist', server.url('/playlist.json'), app.downloadsDir);
  const children = page.locator('li.task.child');
  await expect(children).toHaveCount(3);
  // Progress is seen while they run (about 4 s each): a bar part-way, with byte figures.
  const bars = children.locator('[role=progressbar]');
  await expect
    .poll(async () => (await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('aria-valuenow'))))).some((v) => v > 0 && v < 100))
    .toBe(true);
  await expect(children.locator('.figures').first()).toContainText('of 2.0 MB');
  // Every download says where its file goes: the name (from the playlist) and the folder.
  await expect(children.first().locator('.file')).toContainText(`in ${path.join(app.downloadsDir, 'Road trip')}`);
  const parent = page.locator('li.task.root', { has: page.getByRole('button', { name: /^Collapse / }) });
  await expect(parent.locator('.figures')).toContainText(/of 3 downloaded/);
  await snap(page, testInfo, 'importing');
  await expect(children.locator('.badge', { hasText: 'completed' })).toHaveCount(3, { timeout: 60_000 });
  await expect(parent.locator('.badge')).toHaveText('completed');
  await expect(parent.locator('.figures')).toHaveText(/^3 of 3 downloaded/);
  // A playlist downloads into a folder named after it.
  const folder = path.join(app.downloadsDir, 'Road trip');
  const files = fs.readdirSync(folder).filter((f) => !f.endsWith('.part'));
  expect(files).toHaveLength(3);
  for (const f of files) expect(fs.statSync(path.join(folder, f)).size).toBe(2 * MB);
});

test('cancels a running download', async ({ app, server }) => {
  server.route('/slow.mp4', { content: { size: 50 * MB, seed: 9 }, bytesPerSecond: 256 * 1024 });
  const url = server.url('/slow.mp4');
  await submitForm(app.page, 'Download URL', url, app.downloadsDir);
  const row = taskRow(app.page, url);
  await expect(row.locator('.badge')).toHaveText('running');
  await row.getByRole('button', { name: `Cancel ${url}` }).click();
  await expect(row.locator('.badge')).toHaveText('cancelled');
  await expect(row.getByRole('button', { name: `Retry ${url}` })).toBeVisible();
});

test('pauses and resumes a download from the keyboard: focus stays on the row, which then completes', async ({ app, server }) => {
  server.route('/pause.mp4', { content: { size: 8 * MB, seed: 3 }, bytesPerSecond: 256 * 1024 });
  const url = server.url('/pause.mp4');
  await submitForm(app.page, 'Download URL', url, app.downloadsDir);
  const row = taskRow(app.page, url);
  await expect(row.locator('.figures')).toContainText('of 8.0 MB');
  // Regression: Enter on Pause hid the button and dropped focus to <body>.
  await row.getByRole('button', { name: `Pause ${url}` }).focus();
  await app.page.keyboard.press('Enter');
  await expect(row.locator('.badge')).toHaveText('paused');
  await expect(row.getByRole('button', { name: `Resume ${url}` })).toBeFocused();
  server.patch('/pause.mp4', { bytesPerSecond: 8 * MB });
  // The row's shortcut: P resumes what is paused.
  await app.page.keyboard.press('p');
  await expect(row.locator('.badge')).toHaveText('completed', { timeout: 60_000 });
  await expect(row.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  // Pause/resume is a run, not a failed attempt: the details count no failure.
  await row.getByRole('button', { name: `Show details of ${url}` }).click();
  await expect(app.page.getByRole('complementary', { name: 'Task details' })).toContainText('0 failed of 8 allowed');
});

test('pauses the whole queue: new work waits until it resumes', async ({ app, server }) => {
  server.route('/later.mp4', { content: { size: 1 * MB, seed: 4 } });
  const url = server.url('/later.mp4');
  await app.page.getByRole('button', { name: 'Pause queue' }).click();
  await expect(app.page.getByRole('button', { name: 'Resume queue' })).toHaveAttribute('aria-pressed', 'true');
  await submitForm(app.page, 'Download URL', url, app.downloadsDir);
  const row = taskRow(app.page, url);
  await expect(row.locator('.badge')).toHaveText('queued');
  // The service's own stats say paused (not just the button): a reload reads them afresh.
  await app.page.reload();
  await expect(app.page.getByLabel('Task counts')).toContainText('queue paused');
  expect(server.stats('/later.mp4').requests).toBe(0);
  await app.page.getByRole('button', { name: 'Resume queue' }).click();
  await expect(row.locator('.badge')).toHaveText('completed');
});

test('survives a service crash mid-download: reconnecting, then live again, and the download completes', async ({ app, server }, testInfo) => {
  server.route('/crash.mp4', { content: { size: 8 * MB, seed: 5 }, bytesPerSecond: 256 * 1024 });
  const url = server.url('/crash.mp4');
  await submitForm(app.page, 'Download URL', url, app.downloadsDir);
  const row = taskRow(app.page, url);
  await expect(row.locator('.figures')).toContainText('of 8.0 MB');
  // Kill only once a checkpoint is durable (the open history follows the journal live), so
  // the resume has something to resume from.
  await row.getByRole('button', { name: `Show details of ${url}` }).click();
  const history = app.page.getByRole('list', { name: `History of ${url}` });
  await expect(history).toContainText('saved progress');
  // Repeated checkpoints fold into one line with a count, however many there are.
  await expect(history).toContainText(/saved progress ×\d+/);
  expect(await history.getByRole('listitem').filter({ hasText: 'saved progress' }).count()).toBe(1);

  // Something typed but not yet sent survives the restart (the form is disabled, not cleared).
  const importUrl = app.page.getByRole('form', { name: 'Import playlist' }).getByLabel('URL');
  await importUrl.fill('https://example.com/playlist-typed-before-the-crash');
  await app.killService();
  await expect(app.page.getByRole('status').first()).toContainText('Service restarting');
  // While the service is away: the forms are disabled and say why, speed and ETA are hidden.
  const form = app.page.getByRole('form', { name: 'Download URL' });
  await expect(form.getByLabel('URL')).toBeDisabled();
  await expect(form).toContainText('Service restarting');
  await expect(row.locator('.figures')).not.toContainText('/s');
  await snap(app.page, testInfo, 'reconnecting');
  server.patch('/crash.mp4', { bytesPerSecond: 8 * MB });
  await expect(app.page.getByRole('status').first()).toHaveText('Live');
  await expect(form.getByLabel('URL')).toBeEnabled();
  await expect(importUrl).toHaveValue('https://example.com/playlist-typed-before-the-crash');
  await expect(row.locator('.badge')).toHaveText('completed', { timeout: 60_000 });
  // Resumed from its checkpoint with a Range request, not from zero.
  expect(server.stats('/crash.mp4').ranges.some((r) => r !== undefined)).toBe(true);
  expect(fs.statSync(path.join(app.downloadsDir, 'crash.mp4')).size).toBe(8 * MB);
});

test('keeps the history across a restart of the host', async ({ app, server }) => {
  server.route('/keep.mp4', { content: { size: 1 * MB, seed: 7 } });
  const url = server.url('/keep.mp4');
  await submitForm(app.page, 'Download URL', url, app.downloadsDir);
  await expect(taskRow(app.page, url).locator('.badge')).toHaveText('completed');

  await app.restart();
  await expect(app.page.getByRole('status').first()).toHaveText('Live');
  const row = taskRow(app.page, url);
  await expect(row.locator('.badge')).toHaveText('completed');
  await row.getByRole('button', { name: `Show details of ${url}` }).click();
  const history = app.page.getByRole('list', { name: `History of ${url}` });
  await expect(history.getByRole('listitem').first()).toContainText('created');
  await expect(history).toContainText('running → completed');
});

test('a bad URL is explained in a sentence, the technical detail behind a disclosure, and creates nothing', async ({ app }) => {
  await submitForm(app.page, 'Download URL', 'not a url', app.downloadsDir);
  const alert = app.page.getByRole('alert');
  await expect(alert).toContainText('Please enter a web address starting with http:// or https://.');
  await expect(alert.getByText(/BAD_INPUT/)).toBeHidden();
  await alert.getByText('Technical detail').click();
  await expect(alert.getByText(/BAD_INPUT: .*url/)).toBeVisible();
  await expect(app.page.locator('li.task')).toHaveCount(0);
  await expect(app.page.getByText('No tasks yet')).toBeVisible();
});
