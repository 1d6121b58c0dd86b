import { describe, expect, it, vi } from 'vitest';
import { servedPair } from './support/port-pair';

const CYCLES = 10_000;

describe('subscribe/unsubscribe churn over a port', () => {
  it(`leaves no subscription, generator, pending request or listener behind after ${CYCLES} cycles`, async () => {
    const p = servedPair();
    try {
      const { client, server, toy, connection, channel, serverPort, clientPort } = p;
      // Warm up once so lazily created listeners are counted in the baseline.
      await client.echo.query({ text: 'warm' });
      await client.publish.mutate({ values: ['one'] }); // so every watch yields at once
      const baseline = {
        rawServer: channel.port1.listenerCount('message') + channel.port1.listenerCount('close'),
        rawClient: channel.port2.listenerCount('message') + channel.port2.listenerCount('close'),
        server: serverPort.listenerCount(),
        client: clientPort.listenerCount(),
      };
      let maxActive = 0;
      for (let i = 0; i < CYCLES; i++) {
        await new Promise<void>((resolve, reject) => {
          // Alternate a signal-waiting generator and one parked in events.on (a bus listener).
          const handlers = {
            onData: () => {
              sub.unsubscribe();
              resolve();
            },
            onError: reject,
          };
          const sub = i % 2 === 0 ? client.idle.subscribe(undefined, handlers) : client.watch.subscribe(undefined, handlers);
        });
        maxActive = Math.max(maxActive, server.activeSubscriptions());
      }
      await vi.waitFor(() => expect(server.activeSubscriptions()).toBe(0));
      expect(maxActive).toBeGreaterThan(0); // the counter really counts
      expect(toy.stats.openGenerators).toBe(0);
      expect((await client.stats.query()).listeners).toBe(0);
      expect(connection.size).toBe(0);
      expect(server.activeCalls()).toBe(0);
      expect({
        rawServer: channel.port1.listenerCount('message') + channel.port1.listenerCount('close'),
        rawClient: channel.port2.listenerCount('message') + channel.port2.listenerCount('close'),
        server: serverPort.listenerCount(),
        client: clientPort.listenerCount(),
      }).toEqual(baseline);
      // And the port still serves.
      await expect(client.echo.query({ text: 'after' })).resolves.toMatchObject({ text: 'after' });
    } finally {
      p.close();
    }
  });
});
