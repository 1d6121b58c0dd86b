import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { MessagePortMain } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { fromElectronPort, fromNodeMessagePort } from '../src/shared/port/adapters';
import { BYE_MESSAGE } from '../src/shared/port/types';

/**
 * The Electron binary is absent here, so MessagePortMain is played by a real worker_threads
 * port behind Electron's event shape (`on('message', e => e.data)`, explicit `start()`).
 */
function electronShaped(port: MessagePort): MessagePortMain & { started: boolean } {
  const emitter = new EventEmitter();
  const shaped = Object.assign(emitter, {
    started: false,
    postMessage: (message: unknown) => port.postMessage(message),
    start() {
      shaped.started = true;
      port.on('message', (data) => emitter.emit('message', { data, ports: [] }));
    },
    close: () => port.close(),
  });
  port.on('close', () => emitter.emit('close'));
  return shaped as unknown as MessagePortMain & { started: boolean };
}

describe('port adapters', () => {
  it('a Node port: messages both ways, close fires once on both ends, later listeners run at once', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = fromNodeMessagePort(port1);
    const b = fromNodeMessagePort(port2);
    const got: unknown[] = [];
    b.onMessage((m) => got.push(m));
    a.postMessage({ hello: [1, 2n, new Date(0)] });
    await vi.waitFor(() => expect(got).toEqual([{ hello: [1, 2n, new Date(0)] }]));

    const aClosed = vi.fn();
    const bClosed = vi.fn();
    a.onClose(aClosed);
    b.onClose(bClosed);
    a.close();
    a.close();
    await vi.waitFor(() => expect(bClosed).toHaveBeenCalledOnce());
    expect(aClosed).toHaveBeenCalledOnce();
    expect(b.closed).toBe(true);
    expect(() => a.postMessage('late')).toThrow(/closed/);
    const late = vi.fn();
    b.onClose(late);
    expect(late).toHaveBeenCalledOnce();
    expect(a.listenerCount() + b.listenerCount()).toBe(0);
  });

  it('an in-band bye closes the receiving side even when the transport has no close event', async () => {
    const { port1, port2 } = new MessageChannel();
    const b = fromNodeMessagePort(port2);
    const closed = vi.fn();
    const messages = vi.fn();
    b.onClose(closed);
    b.onMessage(messages);
    port1.postMessage(BYE_MESSAGE); // a raw peer saying bye without closing its port
    await vi.waitFor(() => expect(closed).toHaveBeenCalledOnce());
    expect(messages).not.toHaveBeenCalled();
    port1.close();
  });

  it('an Electron-shaped port is started by the adapter and unwraps event.data', async () => {
    const { port1, port2 } = new MessageChannel();
    const raw = electronShaped(port1);
    const a = fromElectronPort(raw);
    expect(raw.started).toBe(true);
    const got: unknown[] = [];
    a.onMessage((m) => got.push(m));
    port2.postMessage({ id: 1 });
    await vi.waitFor(() => expect(got).toEqual([{ id: 1 }]));
    const closed = vi.fn();
    a.onClose(closed);
    port2.close();
    await vi.waitFor(() => expect(closed).toHaveBeenCalledOnce());
  });
});
