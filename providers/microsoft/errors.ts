/**
 * Graph and network failures as the typed failures the service reasons about.
 */
import { cursorInvalidated, parseRetryAfter, ProviderError, transient } from '../errors';

const CURSOR_CODES = new Set(['syncStateNotFound', 'resyncRequired', 'SyncStateInvalid', 'SyncStateNotFound']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

interface GraphLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  headers?: Headers | Record<string, string>;
}

function header(headers: GraphLikeError['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  return (headers as Record<string, string>)[name] ?? (headers as Record<string, string>)[name.toLowerCase()];
}

export function mapGraphError(error: unknown, what: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const failure = error as GraphLikeError;
  const status = failure.statusCode ?? 0;
  const code = failure.code ?? '';
  const message = `Microsoft Graph ${what}: ${status || code} ${failure.message ?? ''}`.trim();
  if (status === 410 || CURSOR_CODES.has(code)) return cursorInvalidated(message);
  if (status === 429 || status >= 500) return transient(message, status, parseRetryAfter(header(failure.headers, 'retry-after')));
  if (status === 401) return new ProviderError('authExpired', message, { status });
  if (status === 403) return new ProviderError('permissionDenied', message, { status });
  if (status === 404) return new ProviderError('notFound', message, { status });
  if (status === 409) return new ProviderError('conflict', message, { status });
  if (status >= 400) return new ProviderError('invalid', message, { status });
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has((error as { cause?: { code?: string } }).cause?.code ?? '')) return transient(message);
  return transient(message); // anything unexplained (a dropped connection mid-body): worth a retry
}
