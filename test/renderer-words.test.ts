import { describe, expect, it } from 'vitest';
import { errorCode, explain } from '../src/renderer/error-words';
import { groupHistory } from '../src/renderer/history';
import { clearSummary } from '../src/renderer/render-confirm';
import { playlistFigures } from '../src/renderer/render-row';
import { attemptsOf, fileTarget, stateWords } from '../src/renderer/task-view';
import { ServiceError } from '../src/shared/errors';
import type { Task, TaskEvent } from '../src/shared/task';

function task(over: Partial<Task> = {}): Task {
  return {
    id: 't', type: 'video-download', title: 't', state: 'queued', priority: 0, parentId: null, spawnKey: null,
    dependsOn: [], input: { url: 'http://x/a.mp4', dir: '/v' }, result: null, error: null, progress: null, attempt: 0, runs: 0, maxAttempts: 8,
    runAt: 0, dedupeKey: null, createdAt: 1, startedAt: null, finishedAt: null, updatedAt: 1, ...over,
  };
}
const netErr = { code: 'NETWORK', message: 'Network error: getaddrinfo ENOTFOUND x', retryable: true };

describe('states in plain words', () => {
  it('reads a retry in backoff as a countdown with the try number', () => {
    const t = task({ state: 'queued', attempt: 2, error: netErr, runAt: 12_000 });
    expect(stateWords(t, 0)).toBe('retrying in 12 s (try 3 of 8)');
  });

  // Regression: after 10 pause/resume cycles a healthy download read "attempt 11 of 8".
  it('does not count pause/resume runs as failed attempts', () => {
    const t = task({ state: 'running', attempt: 0, runs: 11 });
    expect(attemptsOf(t)).toEqual({ failed: 0, max: 8, runs: 11 });
    expect(stateWords(t, 0)).toBe('downloading');
  });

  it('reads runs and failed attempts from their own fields', () => {
    const t = task({ state: 'running', attempt: 1, runs: 5, error: netErr });
    expect(attemptsOf(t)).toEqual({ failed: 1, max: 8, runs: 5 });
    expect(stateWords(t, 0)).toBe('downloading (try 2 of 8)');
  });

  // Issue 10 #13: while the host reports offline, network tasks wait in queued; say so.
  it('reads a queued task of a type that needs the network as waiting for it while offline', () => {
    const offline = new Set(['video-download']);
    expect(stateWords(task({ state: 'queued' }), 0, offline)).toBe('waiting for network');
    expect(stateWords(task({ state: 'queued', attempt: 2, error: netErr }), 0, offline)).toBe('waiting for network (try 3 of 8)');
    expect(stateWords(task({ state: 'queued', type: 'other' }), 0, offline)).toBe('waiting for a free slot');
    expect(stateWords(task({ state: 'queued' }), 0)).toBe('waiting for a free slot');
  });

  it('turns error codes into sentences, the service message kept as detail', () => {
    expect(explain('NETWORK', netErr.message)).toEqual({ sentence: expect.stringMatching(/^Could not reach the server/), detail: `NETWORK: ${netErr.message}` });
    expect(explain('HTTP_ERROR', 'HTTP 404 from http://x/a').sentence).toMatch(/does not exist \(HTTP 404\)/);
    expect(explain('CHILDREN_FAILED', '2 of 3 children failed').sentence).toMatch(/Retry the playlist/);
    expect(explain('BAD_INPUT', 'Input for task type video-download is invalid: url: bad; dir: Too small').sentence).toBe(
      'Please enter a web address starting with http:// or https:// and a folder given as a full path (for example /home/you/Videos).',
    );
    expect(errorCode(new ServiceError('SERVICE_LOCKED', 'x'))).toBe('SERVICE_LOCKED');
    expect(errorCode({ data: { serviceCode: 'DISK_FULL' } })).toBe('DISK_FULL');
    expect(errorCode(new Error('plain'))).toBeNull();
  });
});

describe('files', () => {
  it('shows the folder before completion and the published path after', () => {
    expect(fileTarget(task())).toEqual({ dir: '/v', name: null, path: null });
    expect(fileTarget(task({ input: { url: 'u', dir: '/v', filename: 'Clip [a].mp4' } }))).toEqual({ dir: '/v', name: 'Clip [a].mp4', path: null });
    const done = task({ state: 'completed', result: { path: '/v/Road trip/clip.mp4', bytes: 3, sha256: 'x' } });
    expect(fileTarget(done)).toEqual({ dir: '/v/Road trip', name: 'clip.mp4', path: '/v/Road trip/clip.mp4' });
  });
});

describe('history', () => {
  it('folds runs of checkpoint events into one line', () => {
    let seq = 0;
    const ev = (kind: TaskEvent['kind'], from: TaskEvent['from'] = null, to: TaskEvent['to'] = null): TaskEvent => ({ seq: ++seq, taskId: 't', kind, from, to, data: null, at: seq });
    const events = [ev('created', null, 'queued'), ev('state', 'queued', 'running'), ...Array.from({ length: 240 }, () => ev('checkpoint')), ev('state', 'running', 'completed')];
    expect(groupHistory(events).map((l) => l.text)).toEqual(['created (queued)', 'queued → running', 'saved progress ×240', 'running → completed']);
  });

  it('reads a retitle and a tool log line with their text', () => {
    const ev = (seq: number, kind: TaskEvent['kind'], data: unknown): TaskEvent => ({ seq, taskId: 't', kind, from: null, to: null, data, at: seq });
    expect(groupHistory([ev(1, 'title', { title: 'Weekly Show' }), ev(2, 'log', { line: 'yt-dlp: 3 entries' })]).map((l) => l.text)).toEqual(['retitled: Weekly Show', 'log: yt-dlp: 3 entries']);
  });
});

describe('playlists and clearing', () => {
  it('reads a partial failure as "18 of 20 downloaded, 2 failed"', () => {
    const agg = { total: 20, done: 18, failed: 2, cancelled: 0, running: 0, bytesDone: 0, units: 18, bytesTotal: null, speed: null, eta: null };
    expect(playlistFigures(task({ type: 'playlist-import', state: 'failed' }), agg, true)).toBe('18 of 20 downloaded, 2 failed');
  });

  it('says what clear finished removes and that failed tasks stay', () => {
    expect(clearSummary({ ids: ['a', 'b', 'c'], completed: 2, cancelled: 1, keptFailed: 2 })).toBe(
      "Remove 2 completed tasks and 1 cancelled task from the list, with their playlists' videos? Downloaded files stay on disk. 2 failed tasks stay in the list to retry or remove.",
    );
  });
});
