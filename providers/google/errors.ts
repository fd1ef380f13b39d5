/**
 * gaxios failures (HTTP answers and network errors) → the service's `ProviderError` kinds.
 *
 * The errors are duck-typed on purpose: googleapis and google-auth-library bring different gaxios
 * copies, and `instanceof GaxiosError` only recognises its own.
 */
import { ProviderError, authRevoked, cursorInvalidated, parseRetryAfter, transient } from '../errors';

interface HttpFailure {
  message?: string;
  code?: string | number;
  status?: number;
  response?: { status?: number; headers?: unknown; data?: unknown };
}

/** What a call was doing, where the same status means different things (`token`: refreshing; `code`: exchanging a code). */
export type GoogleCallContext = 'sync' | 'event' | 'channel' | 'token' | 'code' | 'other';

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);

function header(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? record[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Google's `error.errors[0].reason` (Calendar API) or OAuth `error` code. */
function reasonOf(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const error = (data as { error?: unknown }).error;
  if (typeof error === 'string') return error;
  const errors = (error as { errors?: { reason?: string }[] } | undefined)?.errors;
  return errors?.[0]?.reason;
}

function messageOf(failure: HttpFailure, status: number | undefined): string {
  const data = failure.response?.data as { error?: { message?: string }; error_description?: string } | undefined;
  const detail = data?.error_description ?? (typeof data?.error === 'object' ? data.error.message : undefined) ?? failure.message ?? 'request failed';
  return status ? `Google ${status}: ${detail}` : `Google unreachable: ${detail}`;
}

export function mapGoogleError(error: unknown, context: GoogleCallContext = 'other'): ProviderError {
  if (error instanceof ProviderError) return error;
  const failure = (error ?? {}) as HttpFailure;
  const status = failure.response?.status ?? (typeof failure.status === 'number' ? failure.status : undefined);
  const reason = reasonOf(failure.response?.data);
  const message = messageOf(failure, status);
  const details = { status, reason };
  if (status === undefined) {
    // gaxios failed without an HTTP answer (ECONNREFUSED, ECONNRESET, timeouts, DNS): the network, worth retrying.
    // Anything else is a bug on our side (e.g. a missing parameter): retrying would not help.
    const network = typeof error === 'object' && error !== null && 'config' in error;
    return new ProviderError(network ? 'transient' : 'invalid', `${message}${failure.code ? ` (${failure.code})` : ''}`, details);
  }
  const retryAfterMs = parseRetryAfter(header(failure.response?.headers, 'retry-after'));
  if (context === 'token' && status === 400 && reason === 'invalid_grant') return authRevoked('Google refused the refresh token', reason);
  if (status === 429 || status >= 500 || (status === 403 && reason && RATE_LIMIT_REASONS.has(reason))) return transient(message, status, retryAfterMs);
  // At the token endpoint a 401 is a refused client (configuration), not an expired access token.
  if (status === 401) return new ProviderError(context === 'token' || context === 'code' ? 'permissionDenied' : 'authExpired', message, details);
  if (status === 410 && context === 'sync') return cursorInvalidated(message);
  if (status === 403) return new ProviderError('permissionDenied', message, details);
  if (status === 404 || status === 410) return new ProviderError('notFound', message, details);
  if (status === 409) return new ProviderError('conflict', message, details);
  return new ProviderError('invalid', message, details);
}
