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

export const notFoundRoute: RequestHandler = (req, _res, next) => next(notFound(`route ${req.method} ${req.path}`));

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
    logger.error('request failed', { method: req.method, path: req.path, error: String(error?.stack ?? error) });
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}
