import { Worker } from 'node:worker_threads';
import { PermanentError, RetryableError, TaskAbort, type TaskDefinition } from '../define';
import { abortKindOf, describeThrown, type ThrownInfo } from '../abort';
import type { ExecutionPorts } from '../context';
import type { Task } from '../../../shared/task';
import type { FromWorker, ToWorker, WorkerStart } from './worker-protocol';

/**
 * Runs a handler on its own worker thread (one per execution: CPU-bound handlers are long, so
 * start-up cost does not matter and a misbehaving one can be terminated without harm). Abort is
 * forwarded with its kind; a worker that ignores it is terminated after `graceMs`.
 */

export function runInWorker(
  entry: URL,
  def: TaskDefinition,
  task: Task,
  input: unknown,
  checkpoint: unknown,
  signal: AbortSignal,
  ports: ExecutionPorts,
  graceMs = 5_000,
): Promise<unknown> {
  const start: WorkerStart = { module: def.module!, type: def.type, task, input, checkpoint };
  // The entry is resolved once by the engine (worker-path.ts): tsx bootstrap or built .js.
  const worker = new Worker(entry, { workerData: start });
  const post = (m: ToWorker): void => worker.postMessage(m);
  const reply = (id: number, p: Promise<unknown>): void => {
    p.then(
      (value) => post({ t: 'reply', id, ok: true, value: value ?? null }),
      (e: unknown) => post({ t: 'reply', id, ok: false, error: describeThrown(e) }),
    );
  };

  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      void worker.terminate();
      fn();
    };
    const onAbort = (): void => {
      const kind = abortKindOf(signal) ?? 'cancel';
      post({ t: 'abort', kind });
      killTimer = setTimeout(() => finish(() => reject(new TaskAbort(kind, `Worker ignored ${kind}; terminated`))), graceMs);
      killTimer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (m: FromWorker) => {
      switch (m.t) {
        case 'progress':
          return ports.progress(m.p);
        case 'log':
          return ports.log(m.message);
        case 'title':
          return reply(m.id, ports.setTitle(m.title));
        case 'checkpoint':
          return reply(m.id, ports.saveCheckpoint(m.state));
        case 'spawn':
          return reply(m.id, ports.spawn(m.children));
        case 'done':
          return finish(() => resolve(m.result));
        case 'fail':
          return finish(() => reject(fromInfo(m.error)));
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`Worker for task ${task.id} exited with code ${code} before finishing`))));
  });
}

function fromInfo(info: ThrownInfo): Error {
  if (info.permanent) return new PermanentError(info.code ?? 'HANDLER_FAILED', info.message);
  if (info.name === 'TaskAbort') return new TaskAbort('cancel', info.message);
  return new RetryableError(info.code ?? 'HANDLER_FAILED', info.message);
}
