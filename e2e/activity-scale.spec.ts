import path from 'node:path';
import { expect, submitForm, taskRow, test } from './fixtures';

/**
 * A playlist bigger than the window: the list keeps only the rows in view in the DOM, sums the
 * playlist up (a partial failure reads as one), and can be collapsed, searched, filtered and
 * sorted.
 */

const KB = 1024;
const N = 60;
const BAD = new Set([7, 31]);

test('a 60-video playlist: only visible rows in the DOM, "58 of 60 downloaded, 2 failed", collapse, search, filter and sort', async ({ app, server }) => {
  const items = Array.from({ length: N }, (_, i) => ({ id: `v${i + 1}`, title: `Video ${i + 1}`, url: server.url(`/v${i + 1}.mp4`) }));
  items.forEach((_, i) => server.route(`/v${i + 1}.mp4`, BAD.has(i + 1) ? { status: 404 } : { content: { size: 8 * KB, seed: i + 1 } }));
  server.route('/big.json', { json: { title: 'Big list', items } });
  const { page } = app;
  await submitForm(page, 'Import playlist', server.url('/big.json'), app.downloadsDir);

  const list = page.getByRole('list', { name: 'Tasks' });
  await expect(list).toHaveAttribute('data-count', String(N + 1));
  const parent = page.locator('li.task.root').first();
  await expect(parent.locator('.figures')).toHaveText(/^58 of 60 downloaded, 2 failed/, { timeout: 90_000 });
  // Gone entries (404) fail alone; the import itself completes with the rest (issue 11).
  await expect(parent.locator('.badge')).toHaveText('completed');
  // Never a full bar for a partial failure: 58 of 60 done.
  await expect(parent.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '97');

  // Virtualized: 61 rows in the list, a window of them in the DOM.
  const inDom = await page.locator('li.task').count();
  expect(inDom).toBeGreaterThan(3);
  expect(inDom).toBeLessThan(40);
  await page.locator('.list-pane').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(taskRow(page, `Video ${N}`)).toBeVisible();
  await expect(taskRow(page, 'Video 1').first()).toHaveCount(0);
  await page.locator('.list-pane').evaluate((el) => (el.scrollTop = 0));

  // Collapse and expand the playlist.
  const title = (await parent.locator('.title').textContent())!;
  await page.getByRole('button', { name: `Collapse ${title}` }).click();
  await expect(list).toHaveAttribute('data-count', '1');
  await page.getByRole('button', { name: `Expand ${title}` }).click();
  await expect(list).toHaveAttribute('data-count', String(N + 1));

  // Search (title, address or folder): the matching video with its playlist.
  await page.getByLabel('Search', { exact: true }).fill('video 42');
  await expect(list).toHaveAttribute('data-count', '2');
  await expect(taskRow(page, 'Video 42')).toBeVisible();
  await expect(taskRow(page, 'Video 42').locator('.file')).toContainText(path.join(app.downloadsDir, 'Big list'));
  await page.getByLabel('Search', { exact: true }).fill('');
  await expect(list).toHaveAttribute('data-count', String(N + 1));

  // Filter by state: the two failed videos, with their playlist.
  await page.getByLabel('Show', { exact: true }).selectOption('failed');
  await expect(list).toHaveAttribute('data-count', '3');
  await expect(page.locator('li.task.child .title')).toHaveText(['Video 7', 'Video 31']);
  await page.getByLabel('Show', { exact: true }).selectOption('all');

  // Sort by status: the failed videos come before the completed ones; by name, numerically.
  await page.getByLabel('Sort', { exact: true }).selectOption('status');
  await expect(page.locator('li.task.child .title').first()).toHaveText('Video 7');
  await page.getByLabel('Sort', { exact: true }).selectOption('name');
  await expect(page.locator('li.task.child .title').nth(1)).toHaveText('Video 2');
});

test('a retry in backoff reads as a countdown with the try number; the error is a sentence', async ({ app, server }) => {
  server.route('/flaky.mp4', { status: 503 });
  const url = server.url('/flaky.mp4');
  await submitForm(app.page, 'Download URL', url, app.downloadsDir);
  const row = taskRow(app.page, url);
  await expect(row.locator('.words')).toHaveText(/^retrying in \d+ s \(try [2-8] of 8\)$/, { timeout: 60_000 });
  await row.getByRole('button', { name: `Show details of ${url}` }).click();
  const details = app.page.getByRole('complementary', { name: 'Task details' });
  await expect(details).toContainText('The server had a problem (HTTP 503)');
  await expect(details.getByText(/^HTTP_ERROR: /)).toBeHidden();
  await details.getByText('Technical detail').click();
  await expect(details.getByText(/^HTTP_ERROR: .*503/)).toBeVisible();
  await row.getByRole('button', { name: `Cancel ${url}` }).click();
  await expect(row.locator('.badge')).toHaveText('cancelled');
});

test('a progress tick patches only its own row: finished rows are not touched while a download runs', async ({ app, server }) => {
  server.route('/done-1.mp4', { content: { size: 256 * KB, seed: 11 } });
  server.route('/done-2.mp4', { content: { size: 256 * KB, seed: 12 } });
  server.route('/busy.mp4', { content: { size: 64 * 1024 * KB, seed: 13 }, bytesPerSecond: 1024 * KB });
  const { page } = app;
  for (const name of ['done-1', 'done-2']) await submitForm(page, 'Download URL', server.url(`/${name}.mp4`), app.downloadsDir);
  await expect(page.locator('li.task .badge', { hasText: 'completed' })).toHaveCount(2);
  await submitForm(page, 'Download URL', server.url('/busy.mp4'), app.downloadsDir);
  const busy = taskRow(page, '/busy.mp4');
  await expect(busy.locator('.figures')).toContainText('of 64 MB');
  const busyId = await busy.getAttribute('data-task-id');
  // Two seconds of ticks and checkpoints: every DOM change must be inside the running row.
  const touched = await page.evaluate(async () => {
    const list = document.querySelector('ul.tasks')!;
    const ids = new Set<string>();
    const observer = new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target instanceof Element ? r.target : r.target.parentElement;
        ids.add(el?.closest('li.task')?.getAttribute('data-task-id') ?? (el === list ? 'the list itself' : 'outside a row'));
      }
    });
    observer.observe(list, { subtree: true, childList: true, characterData: true, attributes: true });
    await new Promise((r) => setTimeout(r, 2000));
    observer.disconnect();
    return [...ids];
  });
  expect(touched).toEqual([busyId]);
  await busy.getByRole('button', { name: /^Cancel / }).click();
});
