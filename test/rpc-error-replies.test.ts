import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../src/shared/errors';
import { errorFormatter, withoutPaths } from '../src/task-service/rpc/errors';

/**
 * Issue 10, "ways in" 4, at the formatter every host's replies go through: no stack, ever (tRPC
 * adds one when NODE_ENV is unset), no absolute path in an unexpected error's message, and
 * nothing echoed from the request beyond a bound.
 */

const shapeOf = (error: TRPCError, path?: string) =>
  errorFormatter({
    error,
    shape: { message: error.message, code: -32603, data: { code: error.code, httpStatus: 500, stack: `Error\n    at ${process.cwd()}/src/x.ts:1:1`, ...(path ? { path } : {}) } },
  });

describe('error replies', () => {
  it('never carry a stack, and an unexpected error names no absolute path', () => {
    const shape = shapeOf(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: new Error(`Cannot find module '${process.cwd()}/src/gone.ts' imported from C:\\app\\main.js`) }));
    expect(shape.data).not.toHaveProperty('stack');
    expect(shape.data.serviceCode).toBe('INTERNAL');
    expect(shape.message).toBe("Cannot find module '<path>' imported from <path>");
  });

  it('clip what they echo: the path, the message and the details', () => {
    const long = 'p'.repeat(5 * 1024 * 1024);
    const cause = new ServiceError('BAD_INPUT', `Invalid request: ${long}`, { issues: Array.from({ length: 1_000 }, () => ({ keys: [long], path: [long] })) });
    const shape = shapeOf(new TRPCError({ code: 'BAD_REQUEST', cause }), long);
    expect(JSON.stringify(shape).length).toBeLessThan(30_000);
    expect(shape.data.serviceCode).toBe('BAD_INPUT');
    expect(shape.message.startsWith('Invalid request: ppp')).toBe(true);
  });

  it('leave typed errors and ordinary text alone', () => {
    expect(withoutPaths('ratio 1/2, see https://example.org/a/b, path "a/b"')).toBe('ratio 1/2, see https://example.org/a/b, path "a/b"');
    const shape = shapeOf(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: new ServiceError('CONFLICT', 'The file /downloads/a.mp4 exists') }));
    expect(shape.message).toBe('The file /downloads/a.mp4 exists');
  });
});
