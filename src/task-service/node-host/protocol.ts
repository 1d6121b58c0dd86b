/**
 * The multiplexing scheme that stands in for Electron's parentPort under plain Node. MessagePorts
 * cannot cross child_process IPC, so each port the host hands out is virtual: its traffic rides
 * the one IPC channel tagged with a `portId`. The channel uses `serialization: 'advanced'`
 * (structured clone), so values behave as they would over a real MessagePort.
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
  | { type: 'port-msg'; portId: PortId; data: unknown }
  | { type: 'port-close'; portId: PortId };

export type ChildToHost =
  | { type: 'hello' }
  | { type: 'parent-msg'; data: unknown }
  | { type: 'port-msg'; portId: PortId; data: unknown }
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
