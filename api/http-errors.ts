/**
 * One JSON error shape for the whole API: `{ "error": { "code", "message", "details"? } }`.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { InvalidInputError, StateConflictError, type FieldProblem } from '../crm/errors';
import type { Logger } from '../lib/logger';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (problems: FieldProblem[]) =>
  new HttpError(400, 'invalid_request', problems.map((p) => `${p.field}: ${p.problem}`).join('; '), problems);
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
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

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof InvalidInputError) error = badRequest(error.problems);
    if (error instanceof StateConflictError) error = conflict(error.code, error.message);
    if (error instanceof HttpError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message, details: error.details } });
      return;
    }
    // express.json() reports malformed bodies with `type: 'entity.parse.failed'` and a status.
    if (typeof error?.status === 'number' && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({ error: { code: 'invalid_request', message: `body: ${error.message}` } });
      return;
    }
    if (isDependencyUnavailable(error)) {
      logger.warn('request failed: a dependency is unavailable', { method: req.method, path: req.path, error: String(error?.message ?? error) });
      res.status(503).set('Retry-After', String(RETRY_AFTER_SECONDS)).json({ error: { code: 'unavailable', message: 'a service this request needs is unavailable; retry shortly' } });
      return;
    }
    logger.error('request failed', { method: req.method, path: req.path, error: String(error?.stack ?? error) });
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}
