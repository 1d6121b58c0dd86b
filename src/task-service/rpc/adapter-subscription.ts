import { isTrackedEnvelope } from '@trpc/server';
import { isObservable, observableToAsyncIterable } from '@trpc/server/observable';
import type { SendCredit } from './adapter-credit';

/**
 * Drives one subscription's async iterable until it ends, fails or is aborted. Kept apart from
 * the adapter because the abort race is the subtle part: a plain `Promise.race` against one
 * long-lived abort promise leaks a reaction per event (the reason tRPC vendors Unpromise), so
 * each `next()` gets its own abort listener that is removed as soon as it settles.
 */

const ABORTED = Symbol('aborted');

/** The value a subscription result carries on the wire (tracked events keep their id). */
export interface SubscriptionEvent {
  type: 'data';
  data: unknown;
  id?: string;
}

export function isIterableResult(value: unknown): boolean {
  return isObservable(value) || isAsyncIterableValue(value);
}

function isAsyncIterableValue(value: unknown): value is AsyncIterable<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

function nextOrAbort<T>(iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T> | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // A generator woken by the abort usually rejects with an AbortError: that is a stop.
        if (signal.aborted) resolve(ABORTED);
        else reject(error);
      },
    );
  });
}

/** Turns one yielded value into its wire form; `tracked(id, data)` becomes `{id, data:{id, data}}`. */
export function toEvent(value: unknown): SubscriptionEvent {
  if (isTrackedEnvelope(value)) {
    const [id, data] = value;
    return { type: 'data', id, data: { id, data } };
  }
  return { type: 'data', data: value };
}

/**
 * Pumps `result` (async iterable or observable) into `emit` until done or aborted. Whatever the
 * exit, the controller is aborted first (so a generator awaiting the signal wakes) and then the
 * iterator is disposed, which runs the generator's `finally` blocks before we report `stopped`.
 * With a `credit`, the next value is pulled only while the client's window has room: waiting
 * BEFORE `next()` (not after) is what lets the producer coalesce what the client has not seen.
 */
export async function pumpSubscription(
  result: unknown,
  controller: AbortController,
  emit: (event: SubscriptionEvent) => void,
  credit?: SendCredit,
): Promise<void> {
  const signal = controller.signal;
  const iterable = isObservable(result)
    ? observableToAsyncIterable(result, signal)
    : (result as AsyncIterable<unknown>);
  const iterator = iterable[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const room = credit?.wait(signal);
      if (room) await room;
      const next = await nextOrAbort(iterator, signal);
      if (next === ABORTED) break;
      if (next.done) {
        finished = true;
        break;
      }
      emit(toEvent(next.value));
      credit?.sent();
    }
  } finally {
    if (!signal.aborted) controller.abort();
    if (!finished) {
      try {
        await iterator.return?.();
      } catch {
        // a failing cleanup must not turn a stop into an error for the client
      }
    }
  }
}
