import type { MessagePortMain } from 'electron';
import { createPort, type CountedPort } from './create-port';

/**
 * Adapters from the three real port kinds to RpcPort. Structural types stand in for the Node
 * and DOM classes so this file stays importable from the renderer (no `node:` imports) and the
 * Electron type is imported as a type only (the `electron` module cannot load under Node).
 */

/** The parts of a Node `worker_threads` MessagePort we use (an EventEmitter-style port). */
export interface NodeMessagePortLike {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'close', listener: () => void): unknown;
  close(): void;
}

/** The parts of a DOM MessagePort we use. */
export interface DomMessagePortLike {
  postMessage(value: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
  start(): void;
  close(): void;
}

/** Node `worker_threads` MessagePort: `on('message')` starts it; `close` fires on both ends. */
export function fromNodeMessagePort(port: NodeMessagePortLike): CountedPort {
  return createPort({
    send: (message) => port.postMessage(message),
    listen(onMessage) {
      const listener = (value: unknown) => onMessage(value);
      port.on('message', listener);
      return () => port.off('message', listener);
    },
    listenClose(onClose) {
      port.on('close', onClose);
      return () => port.off('close', onClose);
    },
    close: () => port.close(),
  });
}

/**
 * DOM MessagePort. Chromium fires `close` on MessagePort only in recent versions and other
 * engines not at all, so we listen when it exists and otherwise rely on the in-band bye.
 */
export function fromDomMessagePort(port: DomMessagePortLike): CountedPort {
  return createPort({
    send: (message) => port.postMessage(message),
    listen(onMessage) {
      const listener = (event: MessageEvent) => onMessage(event.data);
      port.addEventListener('message', listener);
      // addEventListener (unlike onmessage) does not start the port's queue by itself.
      port.start();
      return () => port.removeEventListener('message', listener);
    },
    listenClose(onClose) {
      const listener = () => onClose();
      port.addEventListener('close', listener);
      return () => port.removeEventListener('close', listener);
    },
    close: () => port.close(),
  });
}

/** Electron MessagePortMain (main process and utility process); must be started explicitly. */
export function fromElectronPort(port: MessagePortMain): CountedPort {
  return createPort({
    send: (message) => port.postMessage(message),
    listen(onMessage) {
      const listener = (event: { data: unknown }) => onMessage(event.data);
      port.on('message', listener);
      port.start();
      return () => port.off('message', listener);
    },
    listenClose(onClose) {
      port.on('close', onClose);
      return () => port.off('close', onClose);
    },
    close: () => port.close(),
  });
}
