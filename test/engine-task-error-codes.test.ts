import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES } from '../src/shared/errors';
import { describeThrown, toTaskError } from '../src/task-service/engine/abort';
import { defineTask, PermanentError } from '../src/task-service/engine/define';
import { cleanup, startService, waitState } from './support/engine-harness';

/**
 * Regression: a task's error code was whatever the handler threw if it looked like a code
 * (ECONNRESET, EACCES, MY_OWN_CODE), outside the closed list clients switch on. Socket codes now
 * become NETWORK, others HANDLER_FAILED, and the original code stays in the message.
 */

afterEach(cleanup);

function thrown(code: string | undefined, message = 'boom'): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('toTaskError', () => {
  it('keeps codes of the closed list, maps socket codes to NETWORK and anything else to HANDLER_FAILED, keeping the code in the message', () => {
    expect(toTaskError(describeThrown(new PermanentError('HTTP_ERROR', 'HTTP 404')), false)).toEqual({ code: 'HTTP_ERROR', message: 'HTTP 404', retryable: false });
    expect(toTaskError(describeThrown(thrown('ECONNRESET', 'socket hang up')), true)).toEqual({ code: 'NETWORK', message: 'ECONNRESET: socket hang up', retryable: true });
    expect(toTaskError(describeThrown(thrown('UND_ERR_SOCKET', 'other side closed')), true).code).toBe('NETWORK');
    expect(toTaskError(describeThrown(thrown('EACCES', "EACCES: permission denied, open '/x'")), true)).toEqual({
      code: 'HANDLER_FAILED',
      message: "EACCES: permission denied, open '/x'",
      retryable: true,
    });
    expect(toTaskError(describeThrown(new PermanentError('MY_OWN_CODE', 'nope')), false)).toEqual({ code: 'HANDLER_FAILED', message: 'MY_OWN_CODE: nope', retryable: false });
    expect(toTaskError(describeThrown(thrown(undefined)), true).code).toBe('HANDLER_FAILED');
    expect(toTaskError(describeThrown('a string'), true)).toEqual({ code: 'HANDLER_FAILED', message: 'a string', retryable: true });
  });

  it('a failed task records a code of the closed list', async () => {
    const w = defineTask({
      type: 'w',
      input: z.object({ code: z.string() }),
      async run(ctx) {
        throw thrown(ctx.input.code, 'read ECONNRESET');
      },
    });
    const svc = await startService({ tasks: [w] });
    const reset = svc.create({ type: 'w', input: { code: 'ECONNRESET' }, maxAttempts: 1 });
    const odd = svc.create({ type: 'w', input: { code: 'ERR_SOMETHING_ODD' }, maxAttempts: 1 });
    const a = await waitState(svc, reset.id, 'failed');
    const b = await waitState(svc, odd.id, 'failed');
    expect(a.error).toMatchObject({ code: 'NETWORK', message: 'read ECONNRESET' });
    expect(b.error).toMatchObject({ code: 'HANDLER_FAILED', message: 'ERR_SOMETHING_ODD: read ECONNRESET' });
    for (const e of [a.error!, b.error!]) expect(ERROR_CODES).toContain(e.code);
  });
});
