import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServiceError } from '../src/shared/errors';
import { inputIssues, parseWith } from '../src/shared/validate';

/** The one validator every layer uses: same code, same message shape, same details. */
describe('shared validator', () => {
  const schema = z.object({ url: z.string().url(), n: z.number().int() });

  it('returns the parsed value when it fits', () => {
    expect(parseWith(schema, { url: 'http://a/', n: 2 }, 'task')).toEqual({ url: 'http://a/', n: 2 });
  });

  it('throws BAD_INPUT naming every offending field, with {path, message} details', () => {
    let error: unknown;
    try {
      parseWith(schema, { url: 'nope', n: 1.5 }, 'input for task type x', { type: 'x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServiceError);
    const e = error as ServiceError;
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/^Invalid input for task type x: url: .+; n: .+/);
    expect(e.details).toMatchObject({ type: 'x', issues: [{ path: 'url' }, { path: 'n' }] });
  });

  it('names the value itself (root) when it is not even an object', () => {
    expect(() => parseWith(schema, [], 'task')).toThrow(/Invalid task: \(root\): /);
  });

  it('reads standard-schema paths whose segments are {key} objects (what tRPC hands over)', () => {
    expect(inputIssues([{ path: [{ key: 'a' }, 0], message: 'bad' }, { message: 7 }])).toEqual([
      { path: 'a.0', message: 'bad' },
      { path: '', message: 'invalid' },
    ]);
    expect(inputIssues('not a list')).toBeNull();
  });
});
