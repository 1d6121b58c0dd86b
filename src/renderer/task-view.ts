import { isTerminal, type Task } from '../shared/task';
import { formatDuration } from './format';

/**
 * How a task reads to a person, DOM-free: its attempts, where its file goes, and its state in
 * plain words.
 */

/** Failed attempts against the budget, and runs (starts, including resumes and recoveries). */
export interface Attempts {
  /** Failed attempts so far (0 while none failed). */
  failed: number;
  max: number;
  /** How many times it started. */
  runs: number;
}

/**
 * The engine keeps the two apart (DESIGN §8): `attempt` counts failed attempts against
 * maxAttempts, `runs` every start, pause/resume and crash recovery included; a paused and
 * resumed download once read "attempt 11 of 8" when one field meant both.
 */
export function attemptsOf(task: Task): Attempts {
  return { failed: task.attempt, max: task.maxAttempts, runs: task.runs };
}

/** Where a download's file goes: the folder always, the name once it is known. */
export interface FileTarget {
  dir: string | null;
  name: string | null;
  /** The full path of a finished file (task.result.path), null before. */
  path: string | null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] ?? p;
}

function dirName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i <= 0 ? p.slice(0, i + 1) : p.slice(0, i);
}

/**
 * The service exposes the destination in the input (`dir`, optional `filename`) and, once the
 * file is published, in the result (`path`). A name derived from the server (Content-
 * Disposition or the URL) lives only in the checkpoint, which the service does not expose, so
 * before completion such a name is unknown here.
 */
export function fileTarget(task: Task): FileTarget | null {
  const input = (task.input ?? {}) as Record<string, unknown>;
  const result = (task.result ?? {}) as Record<string, unknown>;
  const path = task.state === 'completed' ? str(result.path) : null;
  const dir = path ? dirName(path) : str(input.dir);
  if (dir === null && path === null) return null;
  return { dir, name: path ? baseName(path) : str(input.filename), path };
}

export function isPlaylist(task: Task): boolean {
  return task.type === 'playlist-import';
}

function seconds(ms: number): string {
  return formatDuration(Math.max(1, Math.ceil(ms / 1000)));
}

/**
 * The state as a short sentence: "retrying in 12 s (try 3 of 8)", "waiting for 2 videos",
 * "paused". `now` is passed in so the countdown is testable and ticks with the clock.
 */
export function stateWords(task: Task, now: number, offlineTypes: ReadonlySet<string> = NO_TYPES): string {
  const a = attemptsOf(task);
  switch (task.state) {
    case 'queued':
      // The service does not claim these while the host reports offline (queue.stats().network).
      if (offlineTypes.has(task.type)) return a.failed > 0 ? `waiting for network (try ${a.failed + 1} of ${a.max})` : 'waiting for network';
      if (task.runAt > now) {
        return a.failed > 0 ? `retrying in ${seconds(task.runAt - now)} (try ${a.failed + 1} of ${a.max})` : `starts in ${seconds(task.runAt - now)}`;
      }
      return a.failed > 0 ? `waiting for a free slot (try ${a.failed + 1} of ${a.max})` : 'waiting for a free slot';
    case 'running':
      return a.failed > 0 ? `downloading (try ${a.failed + 1} of ${a.max})` : isPlaylist(task) ? 'reading the playlist' : 'downloading';
    case 'blocked':
      return 'waiting for the tasks it depends on';
    case 'waiting':
      return 'waiting for its videos to finish';
    case 'paused':
      return 'paused';
    case 'completed':
      return 'done';
    case 'failed':
      if (task.error?.retryable && a.failed >= a.max) return `failed after ${a.max} tries`;
      return 'failed';
    case 'cancelled':
      return 'cancelled';
  }
}

const NO_TYPES: ReadonlySet<string> = new Set();

/** Whether the task can still change on its own (for the countdown clock). */
export function isLive(task: Task): boolean {
  return !isTerminal(task.state) && task.state !== 'paused';
}
