import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { resolveRequestPath } from '../src/main/static-server';
import { startWebHost, type WebHost } from '../src/main/web-host';
import { fromNodeMessagePort } from '../src/shared/port/adapters';
import { withPageToken } from '../src/renderer/ws-port';

/**
 * Issue 10, "ways in" 2 and 3: the dev host against what any web page (or any local process)
 * can send it. Hostile paths and upgrade requests must never take it down, and a socket needs
 * the per-run secret on top of the Origin check.
 */

let dir: string;
let host: WebHost;
let serviceEnds: MessagePort[];
let received: unknown[];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'playlistify-web-hostile-'));
  fs.mkdirSync(path.join(dir, 'renderer'));
  fs.writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>AC</title>');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret');
  serviceEnds = [];
  received = [];
  host = await startWebHost({
    rendererDir: path.join(dir, 'renderer'),
    connect: () => {
      const { port1, port2 } = new MessageChannel();
      port2.on('message', (m: { id: number }) => {
        received.push(m);
        port2.postMessage({ id: m.id, result: { type: 'data', data: 'ok' } });
      });
      serviceEnds.push(port2);
      return fromNodeMessagePort(port1);
    },
  });
});

afterEach(async () => {
  await host.close();
  for (const p of serviceEnds) p.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes raw bytes (no client-side URL checks) and resolves with the status line, or '' when the server just closed. */
function raw(request: string): Promise<string> {
  return new Promise((resolve) => {
    const { port } = new URL(host.origin);
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (d) => (text += String(d)));
    socket.on('error', () => resolve(text.split('\r\n')[0] ?? ''));
    socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
    socket.setTimeout(5_000, () => socket.destroy());
  });
}

function status(url: string): Promise<number> {
  return new Promise((resolve, reject) =>
    http
      .get(url, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
      .on('error', reject),
  );
}

function openSocket(url: string, origin = host.origin): Promise<WebSocket> {
  const ws = new WebSocket(url, { origin });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const socketUrl = (token = host.token) => `${host.origin.replace('http', 'ws')}/service?token=${encodeURIComponent(token)}`;

/** Request targets a page or a local process can send; none may name a file outside the folder. */
const HOSTILE_TARGETS = [
  '/%00', '/index.html%00.js', '/%', '/%E0%A4%A', '/%c0%ae%c0%ae/secret.txt', '/..', '/../secret.txt', '/..%2fsecret.txt',
  '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/a/../../secret.txt', '/.%2e/secret.txt', '/..\\secret.txt', '/%5c..%5csecret.txt',
  'http://[', 'http://127.0.0.1/../secret.txt', '*', '//etc/passwd', '', `/${'a'.repeat(100_000)}`, '/./index.html', '/\u0000',
];

describe('static files: no request path can throw or escape', () => {
  it('the path resolver refuses every hostile target and keeps plain ones', () => {
    const base = path.join(dir, 'renderer');
    for (const target of HOSTILE_TARGETS) expect(resolveRequestPath(base, target), target).toBeNull();
    expect(resolveRequestPath(base, '/')).toBe(path.join(base, 'index.html'));
    expect(resolveRequestPath(base, '/assets/app.js?v=1#x')).toBe(path.join(base, 'assets', 'app.js'));
    expect(resolveRequestPath(base, '/with%20space.css')).toBe(path.join(base, 'with space.css'));
  });

  it('a page requesting /%00 (or any hostile path) gets an error status, and the host keeps serving', async () => {
    // Those a request line can carry as they are (no empty, over-long or whitespace targets).
    for (const target of HOSTILE_TARGETS.filter((t) => t.length > 0 && t.length < 1_000 && !/[\s\u0000]/.test(t))) {
      const line = await raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expect(line, target).not.toMatch(/ 200 /);
    }
    expect(await raw(`GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)).not.toMatch(/ 200 /);
    expect(await status(`${host.origin}/`)).toBe(200);
  });

  it('a raw `GET http://[` upgrade request is refused and the host keeps serving', async () => {
    const upgrade = (target: string, extra = '') =>
      raw(`GET ${target} HTTP/1.1\r\nHost: ${new URL(host.origin).host}\r\nOrigin: ${host.origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
    for (const target of ['http://[', '/service?token=%', '/service?%zz', '*', `/service?token=${'x'.repeat(10_000)}`]) {
      expect(await upgrade(target), target).toMatch(/403|400|^$/);
    }
    expect(await upgrade('/service?token=x', 'Host: a\r\nHost: b\r\n')).toMatch(/403|400|^$/);
    expect(await status(`${host.origin}/`)).toBe(200);
    const ws = await openSocket(socketUrl());
    ws.close();
  });
});

describe('the WebSocket needs the per-run secret, not only the Origin', () => {
  it('a local process that sets the right Origin but lacks the token cannot connect', async () => {
    await expect(openSocket(`${host.origin.replace('http', 'ws')}/service`)).rejects.toThrow(/403/);
    await expect(openSocket(socketUrl('not-the-token'))).rejects.toThrow(/403/);
    await expect(openSocket(socketUrl(`${host.token}x`))).rejects.toThrow(/403/);
    expect(serviceEnds).toHaveLength(0);
    const ws = await openSocket(socketUrl());
    ws.close();
    expect(serviceEnds).toHaveLength(1);
  });

  it('the page presents the token it got in its URL fragment', () => {
    const pageHash = new URL(host.url).hash;
    expect(withPageToken(`${host.origin.replace('http', 'ws')}/service`, pageHash)).toBe(socketUrl());
    expect(withPageToken('ws://127.0.0.1:1/service', '')).toBe('ws://127.0.0.1:1/service');
  });
});

describe('the bridge checks a frame before parsing it', () => {
  it('a 12.6 KB frame nested 2,100 deep gets BAD_INPUT with its id, never reaches the service, and the socket stays open', async () => {
    const ws = await openSocket(socketUrl());
    const replies: any[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(String(d))));
    const deep = `{"id":5,"method":"query","params":{"path":"x","input":${'{"a":'.repeat(2_100)}1${'}'.repeat(2_100)}}}`;
    expect(deep.length).toBeGreaterThan(12_000);
    ws.send(deep);
    ws.send(`${'['.repeat(5_000)}${']'.repeat(5_000)}`);
    ws.send(JSON.stringify({ id: 6, method: 'query', params: { path: 'x' } }));
    await expect.poll(() => replies.length).toBe(2);
    expect(replies[0]).toMatchObject({ id: 5, error: { data: { serviceCode: 'BAD_INPUT' } } });
    expect(replies[1]).toEqual({ id: 6, result: { type: 'data', data: 'ok' } });
    expect(received).toEqual([{ id: 6, method: 'query', params: { path: 'x' } }]);
    ws.close();
  });
});
