import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceCodeOf } from '../src/shared/port/errors';
import { effectsDir } from './fixtures/service/effects';
import { tmpDir } from './support/tmp';
import { killAll, startService } from './support/service-process';

/**
 * Regression: the service entry logged every ServiceError a procedure threw (NOT_FOUND,
 * DEPENDENCY_CYCLE, UNKNOWN_TYPE...) as an `error`-level "procedure failed" line, because
 * tRPC wraps any thrown error as INTERNAL_SERVER_ERROR before onError sees it. A client's bad
 * request is not a service failure: it must be answered with its code and not logged as one.
 */

afterEach(killAll);

describe('service entry logs', () => {
  it('does not log client errors (NOT_FOUND, DEPENDENCY_CYCLE, UNKNOWN_TYPE) as procedure failures', async () => {
    const dir = effectsDir(tmpDir());
    const svc = startService({ dbPath: path.join(dir, 'tasks.db') });
    await svc.ready;
    const client = svc.client();
    const node = (key: string, dependsOn: string[]) => ({ key, type: 'fx-steps', input: { dir, steps: 1, stepMs: 1 }, dependsOn });
    const codes = await Promise.all([
      client.tasks.get.query({ id: 'missing' }).catch(serviceCodeOf),
      client.tasks.createGraph.mutate({ tasks: [node('a', ['b']), node('b', ['a'])] }).catch(serviceCodeOf),
      client.queue.setConcurrency.mutate({ type: 'no-such-type', limit: 1 }).catch(serviceCodeOf),
    ]);
    expect(codes).toEqual(['NOT_FOUND', 'DEPENDENCY_CYCLE', 'UNKNOWN_TYPE']);
    // A later call proves the log lines of the earlier ones were written and read.
    await client.service.health.query();
    await new Promise((r) => setTimeout(r, 100));
    expect(svc.logs.filter((l) => l.msg === 'procedure failed')).toEqual([]);
  });
});
