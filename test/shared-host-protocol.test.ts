import { describe, expect, it } from 'vitest';
import { asServiceMessage, configMessage, hostToService } from '../src/shared/host-protocol';

/** One schema for the host <-> service control messages, read by main, the Node host and the entry. */
describe('host protocol', () => {
  it('accepts the config every host sends, and refuses one without a database path', () => {
    expect(configMessage.safeParse({ type: 'config', dbPath: '/x/tasks.db', downloadsDir: '/x/dl', takeoverBootId: 'b1' }).success).toBe(true);
    expect(configMessage.safeParse({ type: 'config', dbPath: '' }).success).toBe(false);
    expect(configMessage.safeParse({ type: 'config', dbPath: '/x', concurrency: { global: 0 } }).success).toBe(false);
  });

  it('knows connect with or without a client id, and shutdown', () => {
    expect(hostToService.parse({ type: 'connect', clientId: 'w1' })).toEqual({ type: 'connect', clientId: 'w1' });
    expect(hostToService.parse({ type: 'connect' })).toEqual({ type: 'connect' });
    expect(hostToService.parse({ type: 'shutdown' })).toEqual({ type: 'shutdown' });
    expect(hostToService.safeParse({ type: 'reboot' }).success).toBe(false);
  });

  it('knows the network report, with a boolean and nothing else', () => {
    expect(hostToService.parse({ type: 'network', online: false })).toEqual({ type: 'network', online: false });
    expect(hostToService.safeParse({ type: 'network', online: 'no' }).success).toBe(false);
    expect(hostToService.safeParse({ type: 'network' }).success).toBe(false);
    expect(hostToService.safeParse({ type: 'network', online: true, extra: 1 }).success).toBe(false);
    expect(configMessage.parse({ type: 'config', dbPath: '/x', online: false }).online).toBe(false);
  });

  it('narrows what the service says, reading a garbled fatal error as text', () => {
    expect(asServiceMessage({ type: 'ready', bootId: 'b' })).toEqual({ type: 'ready', bootId: 'b' });
    expect(asServiceMessage({ type: 'drained' })).toEqual({ type: 'drained' });
    expect(asServiceMessage({ type: 'fatal', error: { code: 7 } })).toEqual({ type: 'fatal', error: { code: '7', message: 'Service failed to start' } });
    expect(asServiceMessage({ type: 'fatal' })).toBeNull();
    expect(asServiceMessage('ready')).toBeNull();
    expect(asServiceMessage(null)).toBeNull();
  });
});
