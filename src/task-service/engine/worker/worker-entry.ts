import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { describeThrown } from '../abort';
import { TaskAbort, type TaskDefinition } from '../define';
import { makeContext } from '../context';
import type { FromWorker, ToWorker, WorkerStart } from './worker-protocol';

/**
 * Worker-thread side of a `runIn: 'worker'` handler: loads the module that exports the
 * definition, runs the handler with a ctx whose calls become messages, and reports the outcome.
 */

const port = parentPort!;
const start = workerData as WorkerStart;
const controller = new AbortController();
let nextId = 1;
const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();

function send(m: FromWorker): void {
  port.postMessage(m);
}

function request(make: (id: number) => FromWorker): Promise<unknown> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    send(make(id));
  });
}

port.on('message', (m: ToWorker) => {
  if (m.t === 'abort') {
    if (!controller.signal.aborted) controller.abort(new TaskAbort(m.kind));
    return;
  }
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  if (m.ok) p.resolve(m.value);
  else p.reject(Object.assign(new Error(m.error.message), { name: m.error.name, code: m.error.code }));
});

async function findDefinition(): Promise<TaskDefinition> {
  const url = /^[a-z]+:/i.test(start.module) ? start.module : pathToFileURL(start.module).href;
  const mod = (await import(url)) as Record<string, unknown>;
  for (const value of Object.values(mod)) {
    const d = value as Partial<TaskDefinition> | null;
    if (d && typeof d === 'object' && d.type === start.type && typeof d.run === 'function') return d as TaskDefinition;
  }
  throw new Error(`Module ${start.module} exports no definition of task type ${start.type}`);
}

async function main(): Promise<void> {
  try {
    const def = await findDefinition();
    const ctx = makeContext(start.task, start.input, start.checkpoint, controller.signal, {
      progress: (p) => send({ t: 'progress', p }),
      saveCheckpoint: async (state) => {
        await request((id) => ({ t: 'checkpoint', id, state }));
      },
      spawn: (children) => request((id) => ({ t: 'spawn', id, children })) as ReturnType<typeof ctx.spawn>,
      log: (message) => send({ t: 'log', message }),
      setTitle: async (title) => {
        await request((id) => ({ t: 'title', id, title }));
      },
    });
    const result = await def.run(ctx);
    send({ t: 'done', result: result ?? null });
  } catch (e) {
    send({ t: 'fail', error: describeThrown(e) });
  }
}

void main();
