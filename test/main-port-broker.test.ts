import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { PortBroker } from '../src/main/port-broker';
import { FakeChild } from './support/main-fakes';

/** A window as main sees it: an id and the ports its page received. */
interface FakeWindow {
  id: number;
  ports: MessagePort[];
}

const open: MessagePort[] = [];

function setup() {
  const broker = new PortBroker<FakeWindow, MessagePort>({
    createChannel: () => {
      const ch = new MessageChannel();
      open.push(ch.port1, ch.port2);
      return ch;
    },
    sendToWindow: (win, port) => win.ports.push(port),
    windowId: (win) => win.id,
    closePort: (port) => port.close(),
  });
  return broker;
}

/** The service end: answers every message on a connected port with an echo naming the client. */
function serve(child: FakeChild): string[] {
  const clients: string[] = [];
  child.on('posted', (msg: { type: string; clientId?: string }, transfer: MessagePort[]) => {
    if (msg.type !== 'connect') return;
    const port = transfer[0]!;
    clients.push(msg.clientId!);
    port.on('message', (m) => port.postMessage({ from: msg.clientId, echo: m }));
  });
  return clients;
}

function roundTrip(port: MessagePort, payload: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    port.once('message', resolve);
    port.postMessage(payload);
  });
}

afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

describe('PortBroker', () => {
  it('connects main and each of our windows to the service over working ports', async () => {
    const broker = setup();
    const a: FakeWindow = { id: 1, ports: [] };
    const b: FakeWindow = { id: 2, ports: [] };
    broker.addWindow(a);
    broker.addWindow(b);
    const mainPorts: string[] = [];
    broker.onMainPort((_p, id) => mainPorts.push(id));
    const child = new FakeChild();
    const clients = serve(child);
    broker.attach(child);
    expect(mainPorts).toEqual(['main-1']);
    expect(clients).toEqual(['main-1', 'window-1-1.1', 'window-2-1.2']);
    expect(a.ports.length).toBe(1);
    await expect(roundTrip(a.ports[0]!, 'hi')).resolves.toEqual({ from: 'window-1-1.1', echo: 'hi' });
    await expect(roundTrip(broker.currentMainPort!, 42)).resolves.toEqual({ from: 'main-1', echo: 42 });
  });

  it('refuses windows it did not create, by id, even when an object claims a known id', () => {
    const broker = setup();
    const ours: FakeWindow = { id: 7, ports: [] };
    broker.addWindow(ours);
    const child = new FakeChild();
    const clients = serve(child);
    broker.attach(child);
    const stranger: FakeWindow = { id: 99, ports: [] };
    const impostor: FakeWindow = { id: 7, ports: [] };
    expect(broker.connectWindow(stranger)).toBe('refused');
    expect(broker.connectWindow(impostor)).toBe('refused');
    expect(stranger.ports).toEqual([]);
    expect(impostor.ports).toEqual([]);
    expect(clients).toEqual(['main-1', 'window-7-1.1']);
  });

  it('hands every live window a new port after a service restart, and skips closed windows', async () => {
    const broker = setup();
    const a: FakeWindow = { id: 1, ports: [] };
    const b: FakeWindow = { id: 2, ports: [] };
    broker.addWindow(a);
    broker.addWindow(b);
    const first = new FakeChild();
    serve(first);
    broker.attach(first);
    const oldMain = broker.currentMainPort!;
    let oldMainClosed = false;
    oldMain.on('close', () => (oldMainClosed = true));

    broker.detach();
    first.exit(1);
    broker.removeWindow(2);
    expect(broker.connectWindow(a)).toBe('pending'); // asked while down: served on attach

    const second = new FakeChild();
    const clients = serve(second);
    broker.attach(second);
    expect(clients).toEqual(['main-2', 'window-1-2.4']);
    expect(a.ports.length).toBe(2);
    expect(b.ports.length).toBe(1);
    await expect(roundTrip(a.ports[1]!, 'again')).resolves.toEqual({ from: 'window-1-2.4', echo: 'again' });
    await new Promise((r) => setImmediate(r));
    expect(oldMainClosed).toBe(true);
    expect(broker.currentMainPort).not.toBe(oldMain);
  });

  it('sends nothing and leaks nothing when the service cannot take the port', () => {
    const broker = setup();
    const a: FakeWindow = { id: 1, ports: [] };
    broker.addWindow(a);
    const child = new FakeChild();
    broker.attach(child);
    child.exit(1); // FakeChild refuses messages after exit, like a dead process
    expect(broker.connectWindow(a)).toBe('pending');
    expect(a.ports.length).toBe(1);
  });
});
