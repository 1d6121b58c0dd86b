import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask, PermanentError } from '../src/task-service/engine/define';
import { cleanup, noop, startService, waitState } from './support/engine-harness';

afterEach(cleanup);

describe('engine basics', () => {
  it('runs a task to completion and records its result', async () => {
    const svc = await startService({ tasks: [noop] });
    const t = svc.create({ type: 'noop', input: {} });
    const done = await waitState(svc, t.id, 'completed');
    expect(done.result).toEqual({ ok: true });
    expect(done).toMatchObject({ attempt: 0, runs: 1 }); // a success is a run, not a failed attempt
  });

  it('refuses an unknown type and invalid input, writing nothing', async () => {
    const typed = defineTask({ type: 'typed', input: z.object({ n: z.number() }), async run() { return null; } });
    const svc = await startService({ tasks: [typed] });
    expect(() => svc.create({ type: 'nope', input: {} })).toThrow(expect.objectContaining({ code: 'UNKNOWN_TYPE' }));
    expect(() => svc.create({ type: 'typed', input: { n: 'x' } })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => svc.create({ type: 'typed', input: {}, extra: 1 })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(svc.list({}).items).toHaveLength(0);
  });

  it('does not retry a PermanentError and records the error', async () => {
    let runs = 0;
    const bad = defineTask({ type: 'bad', input: z.object({}), maxAttempts: 5, async run() { runs++; throw new PermanentError('HTTP_ERROR', 'gone'); } });
    const svc = await startService({ tasks: [bad] });
    const t = svc.create({ type: 'bad', input: {} });
    const failed = await waitState(svc, t.id, 'failed');
    expect(failed.error).toEqual({ code: 'HTTP_ERROR', message: 'gone', retryable: false });
    expect(runs).toBe(1);
  });

  it('health reports version, schema, boot id and no degradation', async () => {
    const svc = await startService({ tasks: [noop], bootId: 'boot-a' });
    const h = svc.health();
    expect(h).toMatchObject({ ok: true, bootId: 'boot-a', degraded: [] });
    expect(h.schemaVersion).toBeGreaterThan(0);
  });
});
