/**
 * Turns typed provider failures into Temporal's retry decisions: transient ones are retried after the
 * provider's `Retry-After` when it sent one; the rest fail the activity for good, with a stable type the
 * workflow reasons about (e.g. `AuthRevokedError` → NEEDS_REAUTH).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE_TYPES } from '../model/failure-types';
import { ProviderError } from '../providers/errors';

/** The connection row is gone or disconnected: the workflow has nothing left to do. */
export class ConnectionGoneError extends Error {
  override name = FAILURE_TYPES.connectionGone;
}

export function toActivityFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof ConnectionGoneError) return ApplicationFailure.nonRetryable(error.message, error.name);
  if (!(error instanceof ProviderError)) return error;
  if (error.retryable) {
    return ApplicationFailure.create({
      message: error.message,
      type: error.name,
      nextRetryDelay: error.details.retryAfterMs,
      details: [error.details],
    });
  }
  return ApplicationFailure.create({ message: error.message, type: error.name, nonRetryable: true, details: [error.details] });
}

/** Wraps an activity so every failure leaves it in the shape above. */
export function mapFailures<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
