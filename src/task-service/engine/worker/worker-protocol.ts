import type { SpawnRequest } from '../../../shared/schemas';
import type { Task, TaskProgress } from '../../../shared/task';
import type { ThrownInfo } from '../abort';
import type { AbortKind } from '../define';

/**
 * Messages between the engine and a handler running on a worker thread. Requests that need an
 * answer (checkpoint: durable ack; spawn: the children) carry an id echoed by the reply.
 */

/** Sent as workerData when the worker starts. */
export interface WorkerStart {
  module: string;
  type: string;
  task: Task;
  input: unknown;
  checkpoint: unknown;
}

export type ToWorker =
  | { t: 'abort'; kind: AbortKind }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; error: ThrownInfo };

export type FromWorker =
  | { t: 'progress'; p: Partial<TaskProgress> }
  | { t: 'checkpoint'; id: number; state: unknown }
  | { t: 'spawn'; id: number; children: SpawnRequest[] }
  | { t: 'log'; message: string }
  | { t: 'title'; id: number; title: string }
  | { t: 'done'; result: unknown }
  | { t: 'fail'; error: ThrownInfo };
