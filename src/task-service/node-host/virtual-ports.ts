import { createPort, type CountedPort } from '../../shared/port/create-port';
import { decodePortData, encodePortData, type PortId, type PortTraffic } from './protocol';

/**
 * The virtual ports on one side of the IPC channel. Both the Node host and the child's
 * parentPort stand-in own one hub; it turns `port-msg`/`port-close` traffic into RpcPort events
 * and RpcPort calls back into traffic.
 */
export class VirtualPortHub {
  private readonly ports = new Map<PortId, { deliver(data: unknown): void; peerClosed(): void }>();

  /**
   * `send` returns false when the channel is gone (the port then closes itself). `maxInboundBytes`
   * bounds what this side reads (the service's side: WIRE_LIMITS.bytes; see decodePortData).
   */
  constructor(
    private readonly send: (message: PortTraffic) => boolean,
    private readonly maxInboundBytes: number = Infinity,
  ) {}

  get size(): number {
    return this.ports.size;
  }

  has(portId: PortId): boolean {
    return this.ports.has(portId);
  }

  /** The id must be new on this side: reopening a live id would orphan its port. */
  open(portId: PortId): CountedPort {
    if (this.ports.has(portId)) throw new Error(`Virtual port ${portId} is already open`);
    let onMessage: ((data: unknown) => void) | null = null;
    let onClose: (() => void) | null = null;
    let peerGone = false;
    const port = createPort({
      send: (data) => {
        if (!this.send({ type: 'port-msg', portId, ...encodePortData(data) })) throw new Error('The IPC channel to the other process is closed');
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
    if (!port) {
      // A message for a port this side does not have: tell the sender it is closed, so its
      // calls fail at once instead of waiting forever. (A close for it needs no answer.)
      if (message.type === 'port-msg') this.send({ type: 'port-close', portId: message.portId });
      return;
    }
    if (message.type === 'port-msg') port.deliver(decodePortData(message, this.maxInboundBytes));
    else port.peerClosed();
  }

  /** The channel is gone (child exited, parent died): every port closes. */
  closeAll(): void {
    for (const port of [...this.ports.values()]) port.peerClosed();
  }
}
