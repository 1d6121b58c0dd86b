import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServiceClient } from '../src/shared/client';
import { startNodeHost } from '../src/task-service/node-host/host';
import { servedPair } from '../test/support/port-pair';
import { createToyRouter, type ToyRouter } from '../test/fixtures/toy-router';

/**
 * RPC round-trip latency of one small query (`echo`, zod-validated): over a worker_threads
 * MessageChannel in this process, over the Node host's IPC-carried virtual port to a child
 * process, and beside a direct in-process `createCaller` call of the same procedure, which is
 * the baseline the transport figures should be read against.
 */

export const name = 'rpc';

const here = path.dirname(fileURLToPath(import.meta.url));

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return { p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), n: sorted.length };
}

async function measure(calls: number, warmup: number, call: () => Promise<unknown>) {
  for (let i = 0; i < warmup; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  return percentiles(samples);
}

export async function run(options: { calls?: number } = {}): Promise<Record<string, unknown>> {
  const calls = options.calls ?? 2_000;
  const warmup = Math.min(200, calls);
  const input = { text: 'ping' };

  const toy = createToyRouter();
  const caller = toy.createCaller({ clientId: 'direct' });
  const direct = await measure(calls, warmup, () => caller.echo(input));

  const pair = servedPair({ toy });
  const messageChannel = await measure(calls, warmup, () => pair.client.echo.query(input));
  pair.close();

  const host = startNodeHost({ entry: path.join(here, '..', 'test', 'fixtures', 'toy-service.ts'), stdio: 'inherit' });
  let nodeHostIpc;
  try {
    const client = createServiceClient<ToyRouter>({ port: host.connect() }).trpc;
    nodeHostIpc = await measure(calls, warmup, () => client.echo.query(input));
  } finally {
    await host.stop(2_000);
  }

  const ratio = (x: { p50Ms: number }) => Math.round((x.p50Ms / Math.max(direct.p50Ms, 1e-6)) * 10) / 10;
  return {
    procedure: 'echo (zod-validated query)',
    baseline: { directCreateCaller: direct },
    messageChannel: { ...messageChannel, p50VsDirect: ratio(messageChannel) },
    nodeHostIpc: { ...nodeHostIpc, p50VsDirect: ratio(nodeHostIpc) },
  };
}

export default { name, run };

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify({ [name]: await run() }, null, 2));
}
