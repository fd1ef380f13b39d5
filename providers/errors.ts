/**
 * The small set of failures the rest of the service reasons about. Provider adapters map every HTTP
 * failure to one of these; activities turn them into Temporal retry decisions.
 */
import { FAILURE_TYPES } from '../model/failure-types';

export type ProviderFailureKind =
  | 'transient'
  | 'cursorInvalidated'
  | 'authExpired'
  | 'authRevoked'
  | 'permissionDenied'
  | 'notFound'
  | 'conflict'
  | 'invalid';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; reason?: string } = {},
  ) {
    super(message);
    this.name = ProviderError.nameFor(kind);
  }

  /** Stable error type names: Temporal's `nonRetryableErrorTypes` and failure `type` use them. */
  static nameFor(kind: ProviderFailureKind): string {
    return {
      transient: FAILURE_TYPES.providerTransient,
      cursorInvalidated: FAILURE_TYPES.cursorInvalidated,
      authExpired: FAILURE_TYPES.authExpired,
      authRevoked: FAILURE_TYPES.authRevoked,
      permissionDenied: FAILURE_TYPES.permissionDenied,
      notFound: FAILURE_TYPES.notFound,
      conflict: FAILURE_TYPES.conflict,
      invalid: FAILURE_TYPES.invalidRequest,
    }[kind];
  }

  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'authExpired';
  }
}

/** 5xx, 429, Google rate-limit 403s; honour `retryAfterMs` when the provider sent `Retry-After`. */
export const transient = (message: string, status?: number, retryAfterMs?: number) =>
  new ProviderError('transient', message, { status, retryAfterMs });

/** Google `410 Gone` on a sync token; Graph `410` `syncStateNotFound`/`resyncRequired`. */
export const cursorInvalidated = (message: string) => new ProviderError('cursorInvalidated', message, { status: 410 });

/** `invalid_grant`, revoked consent, MSAL `InteractionRequiredAuthError`: the user must reconnect. */
export const authRevoked = (message: string, reason?: string) =>
  new ProviderError('authRevoked', message, { reason });

/** Parses an HTTP `Retry-After` header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
