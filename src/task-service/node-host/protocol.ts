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

export function isPortTraffic(value: unknown): value is PortTraffic {
  return (
    tagged(value) &&
    (value.type === 'port-msg' || value.type === 'port-close') &&
    typeof (value as { portId?: unknown }).portId === 'number'
  );
}

export function isHostToChild(value: unknown): value is HostToChild {
  if (isPortTraffic(value)) return true;
  return tagged(value) && value.type === 'parent-msg' && Array.isArray((value as { portIds?: unknown }).portIds);
}

export function isChildToHost(value: unknown): value is ChildToHost {
  if (isPortTraffic(value)) return true;
  return tagged(value) && (value.type === 'hello' || value.type === 'parent-msg');
}
