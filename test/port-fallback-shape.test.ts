import { MessageChannel } from 'node:worker_threads';
import { createTRPCClient } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { fromNodeMessagePort } from '../src/shared/port/adapters';
import { serviceCodeOf } from '../src/shared/port/errors';
import { portLink } from '../src/shared/port/link';
import { serveOnPort } from '../src/task-service/rpc/adapter';

/** Regression: the adapter's last-resort error shape (used when formatting fails) had no serviceCode. */
describe('the fallback error shape', () => {
  it('still carries a service code from the closed list', async () => {
    const t = initTRPC.create({
      errorFormatter: () => {
        throw new Error('formatter broke');
      },
    });
    const router = t.router({ boom: t.procedure.query(() => { throw new Error('handler broke'); }) });
    const { port1, port2 } = new MessageChannel();
    const server = serveOnPort({ router, port: fromNodeMessagePort(port2) });
    const client = createTRPCClient<typeof router>({ links: [portLink({ port: fromNodeMessagePort(port1) })] });
    const error = await client.boom.query().then(() => null, (e: unknown) => e);
    expect(serviceCodeOf(error)).toBe('INTERNAL');
    server.close();
    port1.close();
  });
});
