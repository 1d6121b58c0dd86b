import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, gate, noop, startService, waitState } from './support/engine-harness';

afterEach(cleanup);

/**
 * engine.whenIdle() is what tests wait on before asserting that something did NOT happen, so it
 * must not resolve while the engine still has work lined up (else such assertions pass early).
 */
describe('engine.whenIdle', () => {
  it('resolves only once claimed work, group commits and the dependents they unblock have run', async () => {
    const svc = await startService({ tasks: [noop], concurrency: { global: 2 } });
    const [a, b, c] = svc.createGraph({
      tasks: [
        { key: 'a', type: 'noop', input: {} },
        { key: 'b', type: 'noop', input: {}, dependsOn: ['a'] },
        { key: 'c', type: 'noop', input: {}, dependsOn: ['b'] },
      ],
    });
    const more = Array.from({ length: 20 }, () => svc.create({ type: 'noop', input: {} }));
    await svc.engine.whenIdle(); // no polling: every one must be done by now
    for (const t of [a!, b!, c!, ...more]) expect(svc.get({ id: t.id }).state).toBe('completed');
  });

  it('does not wait for a handler that is blocked on its own work', async () => {
    const g = gate();
    const svc = await startService({ tasks: [g.def] });
    const t = svc.create({ type: 'gate', input: {} });
    await waitState(svc, t.id, 'running');
    await svc.engine.whenIdle();
    expect(svc.get({ id: t.id }).state).toBe('running');
    g.release(t.id);
    await svc.engine.whenIdle();
    expect(svc.get({ id: t.id }).state).toBe('completed');
  });
});
