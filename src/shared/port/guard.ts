import type { RequestId, ResponseMessage } from './protocol';

/**
 * The one depth-and-size rule for every message that comes into the service, whatever carried
 * it. Transports that parse text (the dev host's WebSocket) or bytes (the Node host's IPC) apply
 * it BEFORE parsing, because a parser or a structured-clone reader recurses and a deep enough
 * message overflows the stack of the process that reads it (it once made the service exit). The
 * RPC adapter applies it again straight after every message it receives, which covers the
 * transports that hand us an already-cloned value (Electron's MessagePortMain, worker ports).
 * Either way the caller gets a typed BAD_INPUT, nothing is written, and the service stays up.
 */

/** schemas.ts derives its request limits from these (not the reverse: schemas imports this file). */
export const WIRE_LIMITS = {
  /** A task input may nest 64 deep (LIMITS.inputDepth); the request around it adds a few levels. */
  depth: 80,
  /** Serialized size of one message (characters of JSON text, or bytes of a clone): far above any real request. */
  bytes: 8 * 1024 * 1024,
} as const;

/** A primitive cost per value in the size estimate: about what a short number costs as JSON. */
const SCALAR_COST = 8;

/**
 * Why a received value breaks the rule, or null. Iterative (no recursion to overflow), and it
 * gives up as soon as the depth or the running size estimate (JSON-like: string lengths plus a
 * small cost per value) is over the limit, so its own cost is bounded by the limit. Only plain
 * data passes: the wire carries JSON-shaped messages by contract.
 */
export function valueProblem(value: unknown, limits: { depth: number; bytes: number } = WIRE_LIMITS): string | null {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  let bytes = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > limits.depth) return `nested deeper than ${limits.depth} levels`;
    if (typeof v === 'string') bytes += v.length + 2;
    else if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') bytes += SCALAR_COST;
    else if (Array.isArray(v)) {
      // Checked before iterating: a sparse array can claim a length of billions for a few bytes.
      bytes += SCALAR_COST + v.length;
      if (bytes > limits.bytes) break;
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], depth: depth + 1 });
    } else if (typeof v === 'object') {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return 'contains something other than plain data';
      const keys = Object.keys(v);
      bytes += SCALAR_COST + keys.length;
      if (bytes > limits.bytes) break;
      for (const key of keys) {
        bytes += key.length;
        stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1 });
      }
    } else return `contains a value of type ${typeof v}`;
    if (bytes > limits.bytes) break;
  }
  return bytes > limits.bytes ? `is larger than ${limits.bytes} bytes` : null;
}

/**
 * The same rule over JSON text, before JSON.parse: its length, and the deepest bracket nesting
 * outside strings. One pass over the characters, no allocation.
 */
export function textProblem(text: string, limits: { depth: number; bytes: number } = WIRE_LIMITS): string | null {
  if (text.length > limits.bytes) return `is larger than ${limits.bytes} bytes`;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limits.depth) return `nested deeper than ${limits.depth} levels`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return null;
}

/** The id a reply can be addressed to: a finite number or a short string. */
export function answerableId(value: unknown): RequestId | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.length <= 64) return value;
  return null;
}

/** The id of a message that must not be parsed, when it leads the text (our link sends it first). */
export function leadingId(text: string): RequestId | null {
  const m = /^\s*\{\s*"id"\s*:\s*(-?\d{1,15}|"[0-9A-Za-z_.:-]{0,64}")\s*[,}]/.exec(text.slice(0, 100));
  if (!m) return null;
  return m[1]!.startsWith('"') ? m[1]!.slice(1, -1) : Number(m[1]);
}

/**
 * What a transport hands the adapter in place of a message it refused to decode. A class
 * instance, so no peer can forge one: structured clones and JSON only make plain objects.
 */
export class WireRejection {
  constructor(
    readonly id: RequestId | null,
    readonly problem: string,
  ) {}
}

/** The message every refused request gets; says what to do, never echoes the input. */
export function rejectionMessage(problem: string): string {
  return `Request refused: the message ${problem}. Send a smaller, flatter request.`;
}

/**
 * The BAD_INPUT reply for a transport that must answer by itself, outside the service (the
 * dev host's bridge): the same shape the router's errorFormatter gives a BAD_INPUT.
 */
export function rejectionResponse(id: RequestId, problem: string): ResponseMessage {
  return {
    id,
    error: { code: -32600, message: rejectionMessage(problem), data: { code: 'BAD_REQUEST', httpStatus: 400, serviceCode: 'BAD_INPUT' } },
  };
}
