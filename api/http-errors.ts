/**
 * One JSON error shape for the whole API, `{ "error": { "code", "message", "details"? } }`, and one
 * table that says how every domain, provider and dependency error answers (`ERROR_TABLE`): routers
 * throw what went wrong and never choose a status themselves.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { IntegrationConflictError, UnknownUserError } from '../connections/connect';
import { InvalidStateError } from '../connections/oauth-state';
import { DuplicateRecordError, InvalidInputError, RecordNotFoundError, StateConflictError, type FieldProblem } from '../crm/errors';
import type { Logger } from '../lib/logger';
import { ProviderNotConfiguredError } from '../providers/create-registry';
import { ProviderError } from '../providers/errors';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (problems: FieldProblem[]) =>
  new HttpError(400, 'invalid_request', problems.map((p) => `${p.field}: ${p.problem}`).join('; '), problems);
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
/** `value` itself, or a 404 naming `what` when there is none (a lookup or a write that found no row). */
export function found<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw notFound(what);
  return value;
}
export const conflict = (code: string, message: string, details?: unknown) => new HttpError(409, code, message, details);
export const unauthorized = (message = 'a valid API key is required (Authorization: Bearer <key>)') =>
  new HttpError(401, 'unauthorized', message);

interface RouterLayer {
  match(path: string): { path: string } | false;
  route?: { _methods(): string[] };
  handle?: { stack?: RouterLayer[] };
}

/** The methods some route answers for `path`, walking mounted routers the way Express does. */
function methodsFor(stack: RouterLayer[], path: string): Set<string> {
  const methods = new Set<string>();
  for (const layer of stack) {
    const matched = layer.match(path);
    if (!matched) continue;
    if (layer.route) for (const method of layer.route._methods()) methods.add(method.toUpperCase());
    else if (layer.handle?.stack) for (const method of methodsFor(layer.handle.stack, path.slice(matched.path.length) || '/')) methods.add(method);
  }
  return methods;
}

/**
 * What no route answered: `405` with `Allow` when the path exists for other methods (a client using
 * the wrong verb should hear so), else `404`.
 */
export const unmatchedRoute =
  (app: { router: { stack: unknown[] } }): RequestHandler =>
  (req, res, next) => {
    const allowed = methodsFor(app.router.stack as RouterLayer[], req.path);
    if (allowed.has('GET')) allowed.add('HEAD');
    if (allowed.size > 0 && !allowed.has(req.method)) {
      const allow = [...allowed].sort().join(', ');
      res.set('Allow', allow);
      next(new HttpError(405, 'method_not_allowed', `${req.method} is not supported on ${req.path} (allowed: ${allow})`));
      return;
    }
    next(notFound(`route ${req.method} ${req.path}`));
  };

/** Seconds a client is told to wait when a dependency is down: about one reconnect of the pool. */
const RETRY_AFTER_SECONDS = 5;

const UNREACHABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNREACHABLE_MESSAGE = /Connection terminated|Can't reach database server|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|Connection refused/i;
/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED: Temporal did not answer. */
const UNREACHABLE_GRPC_CODES = new Set([14, 4]);

/**
 * The database or Temporal could not be reached: the request may well succeed shortly, so it is a
 * 503 with `Retry-After`, not a 500. Prisma reports an unreachable server in several shapes
 * (P1001, a raw-query P2010 naming it, or the pg driver's bare "Connection terminated").
 */
export function isDependencyUnavailable(error: unknown): boolean {
  const failure = error as { code?: unknown; message?: unknown; name?: unknown; cause?: { code?: unknown } } | undefined;
  if (!failure) return false;
  if (failure.name === 'PrismaClientInitializationError') return true;
  if (typeof failure.code === 'string' && UNREACHABLE_PRISMA_CODES.has(failure.code)) return true;
  if (typeof failure.code === 'number' && UNREACHABLE_GRPC_CODES.has(failure.code)) return true;
  if (typeof failure.cause?.code === 'number' && UNREACHABLE_GRPC_CODES.has(failure.cause.code)) return true;
  return typeof failure.message === 'string' && UNREACHABLE_MESSAGE.test(failure.message);
}

/** express.json() reports a malformed or oversized body with a 4xx `status` (`type: 'entity.parse.failed'`). */
const isBodyError = (error: unknown): error is { status: number; message: string } => {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
};

interface ErrorRule {
  matches(error: unknown): boolean;
  answer(error: unknown): HttpError;
}

const when = <E>(type: abstract new (...args: never[]) => E, answer: (error: E) => HttpError): ErrorRule => ({
  matches: (error) => error instanceof type,
  answer: (error) => answer(error as E),
});

/**
 * Every error a request can end in, and how it answers. The first rule that matches wins, so a
 * class goes before its parent. An error no rule matches is a bug: 500, logged.
 */
export const ERROR_TABLE: readonly ErrorRule[] = [
  when(HttpError, (error) => error),
  // CRM domain (crm/errors.ts)
  when(InvalidInputError, (error) => badRequest(error.problems)),
  when(RecordNotFoundError, (error) => notFound(error.what)),
  when(DuplicateRecordError, (error) => conflict('duplicate', error.message, { field: error.field })),
  when(StateConflictError, (error) => conflict(error.code, error.message)),
  // Connecting a calendar (connections/)
  when(UnknownUserError, () => notFound('user')),
  when(IntegrationConflictError, (error) => conflict('integration_installed', error.message, { installedProvider: error.installed })),
  when(InvalidStateError, (error) => new HttpError(400, 'invalid_state', error.message)),
  // Providers (providers/): a provider that fails us is a bad gateway, whatever the kind of failure.
  when(ProviderNotConfiguredError, (error) => new HttpError(422, 'provider_not_configured', error.message)),
  when(ProviderError, (error) => new HttpError(502, 'provider_failed', error.message, { kind: error.kind })),
  // Dependencies and the request itself
  {
    matches: isDependencyUnavailable,
    answer: () => new HttpError(503, 'unavailable', 'a service this request needs is unavailable; retry shortly', undefined, { 'Retry-After': String(RETRY_AFTER_SECONDS) }),
  },
  { matches: isBodyError, answer: (error) => new HttpError((error as { status: number }).status, 'invalid_request', `body: ${(error as Error).message}`) },
];

/** The answer `ERROR_TABLE` gives `error`; undefined for an unexpected one. */
export function httpErrorOf(error: unknown): HttpError | undefined {
  return ERROR_TABLE.find((rule) => rule.matches(error))?.answer(error);
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const answer = httpErrorOf(error);
    if (!answer) {
      logger.error('request failed', { method: req.method, path: req.path, error: String(error?.stack ?? error) });
      res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
      return;
    }
    if (isDependencyUnavailable(error)) logger.warn('request failed: a dependency is unavailable', { method: req.method, path: req.path, error: String(error?.message ?? error) });
    if (answer.headers) res.set(answer.headers);
    res.status(answer.status).json({ error: { code: answer.code, message: answer.message, details: answer.details } });
  };
}
