import type { MessagePortMain } from 'electron';
import { ServiceError } from '../shared/errors';
import { fromElectronPort } from '../shared/port/adapters';
import { WIRE_LIMITS } from '../shared/port/guard';
import type { RpcPort } from '../shared/port/types';
import { isHostToChild, type ChildToHost, type HostToChild } from './node-host/protocol';
import { VirtualPortHub } from './node-host/virtual-ports';

/**
 * How the service entry talks to whoever started it. Under Electron that is
 * `process.parentPort` (ports arrive as MessagePortMain in `e.ports`); under the Node host it
 * is a stand-in over child-process IPC whose ports are virtual (see node-host/protocol.ts).
 * Either way the entry sees `{data, ports: RpcPort[]}` and never learns which host it has.
 */

/** One message from the parent, with the ports sent along with it. */
export interface ParentMessage {
  data: unknown;
  ports: RpcPort[];
}

export interface ParentPort {
  readonly host: 'electron' | 'node';
  /** Like Electron, messages wait in a queue until the first listener is registered. */
  onMessage(listener: (message: ParentMessage) => void): () => void;
  postMessage(data: unknown): void;
  /** Resolves once everything posted so far has been handed to the OS: call before process.exit. */
  flush(): Promise<void>;
  /** The parent went away (Node host only: Electron kills a utility process with its parent). */
  onDisconnect(listener: () => void): () => void;
}

interface ElectronParentPort {
  on(event: 'message', listener: (e: { data: unknown; ports: MessagePortMain[] }) => void): unknown;
  postMessage(message: unknown): void;
}

let instance: ParentPort | undefined;

export function getParentPort(): ParentPort {
  if (instance) return instance;
  const electron = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electron) instance = electronParentPort(electron);
  else if (typeof process.send === 'function') instance = ipcParentPort();
  else throw new ServiceError('INTERNAL', 'No parent port: start this entry with utilityProcess.fork (Electron) or startNodeHost (Node)');
  return instance;
}

/** Holds messages until the first listener arrives, then delivers in order. */
function queueingDispatcher() {
  const listeners = new Set<(m: ParentMessage) => void>();
  const queue: ParentMessage[] = [];
  return {
    dispatch(message: ParentMessage) {
      if (listeners.size === 0) queue.push(message);
      else for (const l of [...listeners]) l(message);
    },
    add(listener: (m: ParentMessage) => void): () => void {
      listeners.add(listener);
      for (const m of queue.splice(0)) listener(m);
      return () => listeners.delete(listener);
    },
  };
}

function electronParentPort(parent: ElectronParentPort): ParentPort {
  const messages = queueingDispatcher();
  parent.on('message', (e) => messages.dispatch({ data: e.data, ports: e.ports.map(fromElectronPort) }));
  return {
    host: 'electron',
    onMessage: messages.add,
    postMessage: (data) => parent.postMessage(data),
    flush: () => Promise.resolve(),
    onDisconnect: () => () => {},
  };
}

function ipcParentPort(): ParentPort {
  // IPC sends are asynchronous: a process.exit right after one would drop it, hence flush().
  let unsent = 0;
  const flushed: Array<() => void> = [];
  const settle = () => {
    if (--unsent > 0) return;
    for (const resolve of flushed.splice(0)) resolve();
  };
  const send = (message: ChildToHost): boolean => {
    if (!process.connected) return false;
    unsent++;
    // The callback also swallows a send that races the channel closing; 'disconnect' handles that.
    process.send!(message, undefined, undefined, settle);
    return true;
  };
  // The service's side of the channel: requests coming in are held to the wire limit.
  const hub = new VirtualPortHub(send, WIRE_LIMITS.bytes);
  const messages = queueingDispatcher();
  const disconnectListeners = new Set<() => void>();
  process.on('message', (raw: unknown) => {
    if (!isHostToChild(raw)) return;
    const message = raw as HostToChild;
    if (message.type === 'parent-msg') {
      // A frame naming a port that is already open is a confused parent: drop it whole.
      if (message.portIds.some((id) => hub.has(id))) return;
      messages.dispatch({ data: message.data, ports: message.portIds.map((id) => hub.open(id)) });
    } else {
      hub.handle(message);
    }
  });
  process.once('disconnect', () => {
    for (const resolve of flushed.splice(0)) resolve();
    hub.closeAll();
    for (const l of [...disconnectListeners]) l();
  });
  // Listening now: the host holds everything until it hears this, so nothing is dropped.
  send({ type: 'hello' });
  return {
    host: 'node',
    onMessage: messages.add,
    postMessage: (data) => void send({ type: 'parent-msg', data }),
    flush: () => (unsent === 0 || !process.connected ? Promise.resolve() : new Promise<void>((resolve) => flushed.push(resolve))),
    onDisconnect(listener) {
      disconnectListeners.add(listener);
      return () => disconnectListeners.delete(listener);
    },
  };
}
