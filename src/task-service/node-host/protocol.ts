import v8 from 'node:v8';
import { answerableId, WIRE_LIMITS, WireRejection } from '../../shared/port/guard';
import type { RequestId } from '../../shared/port/protocol';

/**
 * The multiplexing scheme that stands in for Electron's parentPort under plain Node. MessagePorts
 * cannot cross child_process IPC, so each port the host hands out is virtual: its traffic rides
 * the one IPC channel tagged with a `portId`. The channel uses `serialization: 'advanced'`
 * (structured clone), so values behave as they would over a real MessagePort.
 *
 * A port message's `data` travels pre-serialized (`v8.serialize`, see encodePortData): Node
 * deserializes IPC frames inside its channel, before any of our code runs, and a message nested
 * ~2,000 deep overflowed the stack there and killed the service. As bytes, the receiver checks
 * the size first and reads them itself, where a failure is a typed refusal, not a crash. The
 * request id rides beside the bytes so even an unreadable request can be answered.
 *
 *   host -> child  {type:'parent-msg', data, portIds}   a parentPort message; each id is a new port
 *   child -> host  {type:'hello'}                      the child listens; the host flushes its queue
 *   child -> host  {type:'parent-msg', data}           process.parentPort.postMessage(data)
 *   both ways      {type:'port-msg', portId, data}     a message on a virtual port
 *   both ways      {type:'port-close', portId}         that port closed (either side)
 */

export type PortId = number;

export type HostToChild =
  | { type: 'parent-msg'; data: unknown; portIds: PortId[] }
  | PortMessageFrame
  | { type: 'port-close'; portId: PortId };

/** One virtual-port message: `data` is a v8-serialized value (see encodePortData). */
export interface PortMessageFrame {
  type: 'port-msg';
  portId: PortId;
  data: Uint8Array;
  id?: RequestId;
}

export type ChildToHost =
  | { type: 'hello' }
  | { type: 'parent-msg'; data: unknown }
  | PortMessageFrame
  | { type: 'port-close'; portId: PortId };

export type PortTraffic = Extract<HostToChild, { type: 'port-msg' | 'port-close' }>;

function tagged(value: unknown): value is { type: unknown } {
  return typeof value === 'object' && value !== null && 'type' in value;
}

export function isPortId(value: unknown): value is PortId {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

export function isPortTraffic(value: unknown): value is PortTraffic {
  return tagged(value) && (value.type === 'port-msg' || value.type === 'port-close') && isPortId((value as { portId?: unknown }).portId);
}

/** Strict: a malformed frame is dropped whole, never half-applied. */
export function isHostToChild(value: unknown): value is HostToChild {
  if (isPortTraffic(value)) return true;
  if (!tagged(value) || value.type !== 'parent-msg') return false;
  const portIds = (value as { portIds?: unknown }).portIds;
  return Array.isArray(portIds) && portIds.length <= 16 && portIds.every(isPortId) && new Set(portIds).size === portIds.length;
}

export function isChildToHost(value: unknown): value is ChildToHost {
  if (isPortTraffic(value)) return true;
  return tagged(value) && (value.type === 'hello' || value.type === 'parent-msg');
}

/** The wire form of a port message; throws (like postMessage) when the value cannot be cloned. */
export function encodePortData(value: unknown): { data: Uint8Array; id?: RequestId } {
  const data = v8.serialize(value);
  const id = typeof value === 'object' && value !== null ? answerableId((value as { id?: unknown }).id) : null;
  return id === null ? { data } : { data, id };
}

/**
 * The value a frame carries, or a WireRejection (too large, unreadable) for the adapter to
 * answer. `maxBytes` is the wire limit on the service's side (requests coming in); the host
 * reading the service's replies passes none: a page of large tasks may rightly exceed it.
 */
export function decodePortData(frame: { data?: unknown; id?: unknown }, maxBytes: number = Infinity): unknown {
  const id = answerableId(frame.id);
  if (!(frame.data instanceof Uint8Array)) return new WireRejection(id, 'is not an encoded port message');
  if (frame.data.byteLength > maxBytes) return new WireRejection(id, `is larger than ${maxBytes} bytes`);
  try {
    return v8.deserialize(frame.data);
  } catch {
    // In practice a stack overflow on a deeply nested value, or corrupt bytes.
    return new WireRejection(id, `could not be read (nested too deep or malformed; at most ${WIRE_LIMITS.depth} levels)`);
  }
}
