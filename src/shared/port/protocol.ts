import type { TRPCErrorShape } from '@trpc/server/rpc';

/**
 * The wire protocol over an RpcPort: tRPC's WebSocket JSON-RPC shapes, carried as structured
 * clones rather than JSON strings. Requests: `{id, method, params:{path, input, lastEventId?}}`
 * and `{id, method:'subscription.stop'}`. Responses: `{id, result:{type:'started'|'data'|'stopped',
 * data?, id?}}` or `{id, error}`. Plus the port-level `{id:null, method:'port.bye'}` (types.ts).
 */

export type RequestId = number | string;
export type ProcedureKind = 'query' | 'mutation' | 'subscription';

export interface CallMessage {
  id: RequestId;
  method: ProcedureKind;
  params: { path: string; input: unknown; lastEventId?: string };
}

export interface StopMessage {
  id: RequestId;
  method: 'subscription.stop';
}

export type ResultBody =
  | { type: 'started' }
  | { type: 'stopped' }
  | { type: 'data'; data: unknown; id?: string };

export type ResponseMessage =
  | { id: RequestId | null; result: ResultBody }
  | { id: RequestId | null; error: TRPCErrorShape };

/** Narrows an incoming value to a response; anything else is ignored by the link. */
export function isResponseMessage(value: unknown): value is ResponseMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { id?: unknown; result?: unknown; error?: unknown };
  if (typeof v.id !== 'number' && typeof v.id !== 'string') return false;
  if (typeof v.error === 'object' && v.error !== null) {
    const e = v.error as { code?: unknown; message?: unknown };
    return typeof e.code === 'number' && typeof e.message === 'string';
  }
  if (typeof v.result !== 'object' || v.result === null) return false;
  const type = (v.result as { type?: unknown }).type;
  return type === 'started' || type === 'stopped' || type === 'data' || type === undefined;
}
