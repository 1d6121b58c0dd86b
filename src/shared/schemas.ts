import { z } from 'zod';
import { ERROR_CODES } from './errors';
import { valueProblem, WIRE_LIMITS } from './port/guard';

/**
 * zod schemas for every request that crosses into the task service. Objects are strict:
 * unknown fields are refused, never dropped. Free-form `input` is JSON-checked for size,
 * depth and prototype-polluting keys before a task type's own schema sees it.
 */

export const LIMITS = {
  inputBytes: 1024 * 1024,
  /** One message on the wire, and the sum of a createGraph's nodes. */
  requestBytes: WIRE_LIMITS.bytes,
  inputDepth: 64,
  titleChars: 500,
  typeChars: 100,
  keyChars: 200,
  graphTasks: 10_000,
  dependsOn: 1_000,
  listLimit: 2_000,
  maxAttempts: 100,
  priority: 1_000_000,
} as const;

const utf8 = new TextEncoder();
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a value is not plain, bounded JSON, or null when it is. */
export function jsonProblem(value: unknown, maxBytes: number = LIMITS.inputBytes): string | null {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > LIMITS.inputDepth) return `nested deeper than ${LIMITS.inputDepth} levels`;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return 'contains a non-finite number';
      continue;
    }
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, depth: depth + 1 });
      continue;
    }
    if (typeof v === 'object') {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return 'contains a non-plain object';
      for (const key of Object.keys(v)) {
        if (FORBIDDEN_KEYS.has(key)) return `contains the forbidden key "${key}"`;
        stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1 });
      }
      continue;
    }
    return `contains a value of type ${typeof v}`;
  }
  const json = JSON.stringify(value) ?? '';
  // A UTF-16 code unit never needs more than 3 UTF-8 bytes, so short values skip the encode
  // (an allocation per task that showed in the graph-creation benchmark).
  if (json.length * 3 <= maxBytes) return null;
  const bytes = utf8.encode(json).length;
  return bytes > maxBytes ? `is ${bytes} bytes serialized; the limit is ${maxBytes}` : null;
}

export const jsonValue = z.unknown().superRefine((v, ctx) => {
  const problem = jsonProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `input ${problem}` });
});

export const taskId = z.string().min(1).max(64).regex(/^[0-9A-Za-z_-]+$/, 'not a task id');
export const taskType = z.string().min(1).max(LIMITS.typeChars).regex(/^[a-z][a-z0-9-]*$/, 'lower-case words joined by -');
const key = z.string().min(1).max(LIMITS.keyChars);
const epochMs = z.number().int().min(0).max(8.64e15);

const createFields = {
  type: taskType,
  input: jsonValue,
  title: z.string().max(LIMITS.titleChars).optional(),
  priority: z.number().int().min(-LIMITS.priority).max(LIMITS.priority).optional(),
  runAt: epochMs.optional(),
  parentId: taskId.optional(),
  dedupeKey: key.optional(),
  maxAttempts: z.number().int().min(1).max(LIMITS.maxAttempts).optional(),
};

/** tasks.create */
export const createTaskRequest = z.strictObject({
  ...createFields,
  dependsOn: z.array(taskId).max(LIMITS.dependsOn).optional(),
});
export type CreateTaskRequest = z.infer<typeof createTaskRequest>;

/** One node of tasks.createGraph: `dependsOn` names task ids or keys of this batch. */
export const graphNode = z.strictObject({
  ...createFields,
  key,
  dependsOn: z.array(key).max(LIMITS.dependsOn).optional(),
});
export type GraphNode = z.infer<typeof graphNode>;

const graphShape = z.strictObject({
  tasks: z.array(graphNode).min(1).max(LIMITS.graphTasks),
});

/**
 * tasks.createGraph. Each node's input may be up to 1 MiB, but the whole graph is capped at
 * LIMITS.requestBytes too, and that is checked first: zod validates the nodes before any
 * refinement on the array, so 10,000 nodes of 1 MiB each would otherwise be serialized one by
 * one (10 GB of work) before being refused. The cast keeps the typed input for clients: the
 * pipe's first step accepts anything, but only what the shape accepts gets through.
 */
export const createGraphRequest = z
  .unknown()
  .superRefine((v, ctx) => {
    const problem = valueProblem(v, { depth: LIMITS.inputDepth + 4, bytes: LIMITS.requestBytes });
    if (problem) ctx.addIssue({ code: 'custom', message: `the task graph ${problem}`, abort: true });
  })
  .pipe(graphShape) as unknown as typeof graphShape;
export type CreateGraphRequest = z.infer<typeof createGraphRequest>;

/** A child spawned by a running handler; `key` makes spawn idempotent per parent. */
export const spawnRequest = z.strictObject({
  ...createFields,
  key,
});
export type SpawnRequest = z.infer<typeof spawnRequest>;

export const idRequest = z.strictObject({ id: taskId });

/** For procedures that take no input: anything sent is refused, not silently ignored. */
export const noInput = z.undefined({ error: 'this procedure takes no input' });

export const listRequest = z.strictObject({
  states: z.array(z.enum(['blocked', 'queued', 'running', 'waiting', 'paused', 'completed', 'failed', 'cancelled'])).max(8).optional(),
  types: z.array(taskType).max(100).optional(),
  parentId: taskId.nullable().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(LIMITS.listLimit).optional(),
});
export type ListRequest = z.infer<typeof listRequest>;

export const eventsRequest = z.strictObject({
  id: taskId,
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(LIMITS.listLimit).optional(),
});
export type EventsRequest = z.infer<typeof eventsRequest>;

/** service.acknowledge: hide the health notices with this code. */
export const acknowledgeRequest = z.strictObject({ code: z.enum(ERROR_CODES) });

export const setConcurrencyRequest = z.strictObject({
  type: taskType.optional(),
  limit: z.number().int().min(1).max(1024),
});
