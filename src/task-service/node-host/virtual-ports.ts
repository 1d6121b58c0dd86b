import { createPort, type CountedPort } from '../../shared/port/create-port';
import type { PortId, PortTraffic } from './protocol';

/**
 * The virtual ports on one side of the IPC channel. Both the Node host and the child's
 * parentPort stand-in own one hub; it turns `port-msg`/`port-close` traffic into RpcPort events
 * and RpcPort calls back into traffic.
 */
export class VirtualPortHub {
  private readonly ports = new Map<PortId, { deliver(data: unknown): void; peerClosed(): void }>();

  /** `send` returns false when the channel is gone (the port then closes itself). */
  constructor(private readonly send: (message: PortTraffic) => boolean) {}

  get size(): number {
    return this.ports.size;
  }

  open(portId: PortId): CountedPort {
    let onMessage: ((data: unknown) => void) | null = null;
    let onClose: (() => void) | null = null;
    let peerGone = false;
    const port = createPort({
      send: (data) => {
        if (!this.send({ type: 'port-msg', portId, data })) throw new Error('The IPC channel to the other process is closed');
      },
      listen(listener) {
        onMessage = listener;
        return () => (onMessage = null);
      },
      listenClose(listener) {
        onClose = listener;
        return () => (onClose = null);
      },
      close: () => {
        this.ports.delete(portId);
        if (!peerGone) this.send({ type: 'port-close', portId });
      },
    });
    this.ports.set(portId, {
      deliver: (data) => onMessage?.(data),
      peerClosed: () => {
        peerGone = true;
        this.ports.delete(portId);
        onClose?.();
      },
    });
    return port;
  }

  handle(message: PortTraffic): void {
    const port = this.ports.get(message.portId);
    if (!port) return; // traffic for a port already closed on this side
    if (message.type === 'port-msg') port.deliver(message.data);
    else port.peerClosed();
  }

  /** The channel is gone (child exited, parent died): every port closes. */
  closeAll(): void {
    for (const port of [...this.ports.values()]) port.peerClosed();
  }
}
