import { ServiceError } from '../../shared/errors';
import { answerableId, rejectionMessage, valueProblem, WireRejection } from '../../shared/port/guard';
import type { RequestId } from '../../shared/port/protocol';

/**
 * What the adapter refuses before any procedure runs: a message that breaks the wire guard
 * (shared/port/guard.ts), and a subscription past the per-port cap. Both are typed errors the
 * client can act on; neither touches the service.
 */

/**
 * Each open subscription holds a watch with its own buffer in the service, so one client must
 * not open them without bound. A window needs a handful; this leaves room for many views.
 */
export const MAX_SUBSCRIPTIONS_PER_PORT = 100;

/** The BAD_INPUT for a received message that breaks the wire guard (and whom to tell), or null. */
export function wireRefusal(raw: unknown): { id: RequestId | null; error: ServiceError } | null {
  const problem = raw instanceof WireRejection ? raw.problem : valueProblem(raw);
  if (problem === null) return null;
  const id = raw instanceof WireRejection ? raw.id : answerableId((raw as { id?: unknown } | null)?.id);
  return { id, error: new ServiceError('BAD_INPUT', rejectionMessage(problem)) };
}

export function tooManySubscriptions(limit: number): ServiceError {
  return new ServiceError(
    'CONFLICT',
    `This connection already has ${limit} open subscriptions, the most one connection may hold; stop one before starting another.`,
    { reason: 'too-many-subscriptions', limit },
  );
}
