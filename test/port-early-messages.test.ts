import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { fromNodeMessagePort } from '../src/shared/port/adapters';
import { encodePortData } from '../src/task-service/node-host/protocol';
import { VirtualPortHub } from '../src/task-service/node-host/virtual-ports';

/**
 * Regression (bundled service): a client that called before the service had attached its
 * server to the port lost the call, and waited forever. Ports now hold messages until their
 * first listener, as a MessagePort does before start().
 */

describe('messages that arrive before anyone listens', () => {
  it('wait for the first listener on a virtual port, in order, then flow live', () => {
    const toChild: unknown[] = [];
    const child = new VirtualPortHub(() => true);
    const port = child.open(1);
    child.handle({ type: 'port-msg', portId: 1, ...encodePortData('a') });
    child.handle({ type: 'port-msg', portId: 1, ...encodePortData('b') });
    port.onMessage((m) => toChild.push(m));
    child.handle({ type: 'port-msg', portId: 1, ...encodePortData('c') });
    expect(toChild).toEqual(['a', 'b', 'c']);
  });

  it('wait for the first listener on a worker_threads port', async () => {
    const { port1, port2 } = new MessageChannel();
    const server = fromNodeMessagePort(port2);
    port1.postMessage({ id: 1 });
    await new Promise((r) => setTimeout(r, 20));
    const got: unknown[] = [];
    server.onMessage((m) => got.push(m));
    expect(got).toEqual([{ id: 1 }]);
    server.close();
    port1.close();
  });
});
