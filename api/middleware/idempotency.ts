/**
 * `Idempotency-Key` for creating requests: the first request with a key runs and its successful
 * answer is kept; a retry with the same key and request gets that answer again without running twice. The
 * same key with a different request is refused, and so is a retry while the first is still running.
 */
import type { RequestHandler } from 'express';
import type { Database } from '../../db/client';
import { Prisma } from '../../generated/prisma/client';
import { sha256 } from '../../lib/crypto';
import { accountIdOf } from './authenticate';
import { HttpError } from '../http-errors';

const IN_PROGRESS = 0;

export function idempotent(db: Database): RequestHandler {
  return async (req, res, next) => {
    const key = req.header('idempotency-key');
    if (!key) return next();
    if (key.length > 255) throw new HttpError(400, 'invalid_request', 'Idempotency-Key: at most 255 characters');
    const accountId = accountIdOf(req);
    const requestHash = sha256(JSON.stringify([req.method, req.originalUrl, req.body ?? null]));

    try {
      await db.idempotencyKey.create({ data: { accountId, key, requestHash, responseStatus: IN_PROGRESS, responseBody: {} } });
    } catch (error) {
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
      const first = await db.idempotencyKey.findUniqueOrThrow({ where: { accountId_key: { accountId, key } } });
      if (first.requestHash !== requestHash) {
        throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request');
      }
      if (first.responseStatus === IN_PROGRESS) {
        throw new HttpError(409, 'idempotency_key_in_progress', 'a request with this Idempotency-Key is still being processed; retry shortly');
      }
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(first.responseStatus).json(first.responseBody);
      return;
    }

    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const finish = res.statusCode < 300
        ? db.idempotencyKey.update({ where: { accountId_key: { accountId, key } }, data: { responseStatus: res.statusCode, responseBody: (body ?? {}) as Prisma.InputJsonValue } })
        : // Only successes are kept: after a refusal or a failure, a retry with the key runs again.
          db.idempotencyKey.delete({ where: { accountId_key: { accountId, key } } });
      finish.then(() => json(body), (error) => next(error));
      return res;
    };
    next();
  };
}
