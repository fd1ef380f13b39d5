/**
 * Google's JSON error bodies. The Calendar API answers
 * `{ error: { code, message, errors: [{ domain, reason, message }], status } }`; the OAuth endpoints
 * answer `{ error, error_description }`. Handlers throw these and the server renders them.
 */
import type { PlannedFault } from '../shared/fault-plan';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export class GoogleApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly domain = 'global',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body() {
    const status = STATUS_NAMES[this.status];
    return {
      error: {
        code: this.status,
        message: this.message,
        errors: [{ domain: this.domain, reason: this.reason, message: this.message }],
        ...(status ? { status } : {}),
      },
    };
  }
}

export const badRequest = (message: string, reason = 'invalid') => new GoogleApiError(400, reason, message);
export const notFound = () => new GoogleApiError(404, 'notFound', 'Not Found');
export const gone = () => new GoogleApiError(410, 'deleted', 'Resource has been deleted');
export const fullSyncRequired = () =>
  new GoogleApiError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.', 'calendar');
export const unauthenticated = () =>
  new GoogleApiError(
    401,
    'authError',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    'global',
    { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  );

/** What Google answers for a scripted failure of the Calendar API. */
export function plannedApiError(fault: PlannedFault): GoogleApiError {
  const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
  const rateLimit = fault.status === 429 || fault.reason === 'rateLimitExceeded' || fault.reason === 'userRateLimitExceeded';
  if (rateLimit) {
    const reason = fault.reason ?? 'rateLimitExceeded';
    const message = fault.message ?? (reason === 'userRateLimitExceeded' ? 'User Rate Limit Exceeded' : 'Rate Limit Exceeded');
    return new GoogleApiError(fault.status, reason, message, 'usageLimits', headers);
  }
  const fallback = fault.status >= 500 ? { reason: 'backendError', message: 'Backend Error' } : { reason: 'invalid', message: 'Request failed' };
  return new GoogleApiError(fault.status, fault.reason ?? fallback.reason, fault.message ?? fallback.message, 'global', headers);
}

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }

  body() {
    return { error: this.error, error_description: this.message };
  }
}

export const invalidGrant = (description = 'Token has been expired or revoked.') => new OAuthError(400, 'invalid_grant', description);

/** What the token endpoint answers for a scripted failure. */
export function plannedOAuthError(fault: PlannedFault): OAuthError {
  const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
  const error = fault.reason ?? (fault.status >= 500 ? 'internal_failure' : fault.status === 400 ? 'invalid_request' : 'temporarily_unavailable');
  return new OAuthError(fault.status, error, fault.message ?? 'Scripted failure', headers);
}
