import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebHost, type WebHost } from '../src/main/web-host';
import { fromNodeMessagePort } from '../src/shared/port/adapters';
import type { RpcPort } from '../src/shared/port/types';

let dir: string;
let host: WebHost;
let serviceEnds: MessagePort[];
let ready: boolean;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'playlistify-web-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>AC</title>');
  fs.writeFileSync(path.join(os.tmpdir(), 'playlistify-secret.txt'), 'secret');
  serviceEnds = [];
  ready = true;
  host = await startWebHost({
    rendererDir: dir,
    connect: (clientId): RpcPort | null => {
      if (!ready) return null;
      const { port1, port2 } = new MessageChannel();
      // The "service": answers each request with its id and the client it came from.
      port2.on('message', (m: { id: number }) => port2.postMessage({ id: m.id, result: { type: 'data', data: clientId } }));
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

function get(url: string): Promise<{ status: number; body: string; csp: string | undefined }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, csp: res.headers['content-security-policy'] as string | undefined }));
    }).on('error', reject);
  });
}

/** The socket URL a page from `base` opens, presenting the per-run token as the renderer does. */
const socketUrl = (base = host.origin, token = host.token) => `${base.replace('http', 'ws')}/service?token=${token}`;

function openSocket(origin: string, url = socketUrl()): Promise<WebSocket> {
  const ws = new WebSocket(url, { origin });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const closeOf = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)));

describe('browser dev host', () => {
  it('serves the renderer on loopback with the strict CSP, and nothing outside its folder', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{43}$/);
    const page = await get(host.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>AC</title>');
    expect(page.csp).toContain("default-src 'self'");
    expect(page.csp).toContain("script-src 'self';");
    const escape = await get(`${host.origin}/..%2fplaylistify-secret.txt`);
    expect([400, 403, 404]).toContain(escape.status);
    expect(escape.body).not.toContain('secret');
  });

  it('pipes a same-origin WebSocket to a fresh service port as JSON, both ways', async () => {
    const ws = await openSocket(host.origin);
    const reply = new Promise<unknown>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
    ws.send(JSON.stringify({ id: 7, method: 'query', params: { path: 'x', input: null } }));
    await expect(reply).resolves.toEqual({ id: 7, result: { type: 'data', data: 'web-1' } });
    ws.close();
  });

  it('refuses a WebSocket from another origin', async () => {
    await expect(openSocket('http://evil.example')).rejects.toThrow(/403/);
    // Opened as localhost, the page's origin is localhost: accepted from there, not crossed.
    const local = host.origin.replace('127.0.0.1', 'localhost');
    const ws = await openSocket(local, socketUrl(local));
    ws.close();
    await expect(openSocket(host.origin, socketUrl(local))).rejects.toThrow(/403/);
  });

  it('closes the socket with "service restart" when the service port closes, and "try again" while the service is down', async () => {
    const ws = await openSocket(host.origin);
    const closed = closeOf(ws);
    serviceEnds[0]!.close();
    await expect(closed).resolves.toBe(1012);
    ready = false;
    const again = await openSocket(host.origin);
    await expect(closeOf(again)).resolves.toBe(1013);
  });

  it('closes the service port when the page goes away', async () => {
    const ws = await openSocket(host.origin);
    const serviceClosed = new Promise<void>((r) => serviceEnds[0]!.once('close', () => r()));
    ws.close();
    await serviceClosed;
  });
});
