import { describe, expect, it } from 'vitest';
import { taskId } from '../src/shared/schemas';
import { idTime, newId } from '../src/task-service/store/ids';

describe('ids', () => {
  it('are valid task ids, strictly increasing within one millisecond and across a clock step back', () => {
    const ids = [newId(5_000), newId(5_000), newId(5_000), newId(4_000), newId(6_000)];
    for (const id of ids) expect(taskId.safeParse(id).success).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(idTime(ids[4]!)).toBe(6_000);
  });

  it('sort by creation time', () => {
    const later = Date.now() + 1_000_000;
    const first = newId(later);
    const second = newId(later + 1_000);
    expect(idTime(first)).toBe(later);
    expect(idTime(second)).toBe(later + 1_000);
    expect(second > first).toBe(true);
  });
});
