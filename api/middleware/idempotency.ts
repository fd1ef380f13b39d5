/**
 * `Idempotency-Key` for creating requests: the first request with a key runs and its successful
 * answer is kept; a retry with the same key and request gets that answer again without running twice. The
 * same key with a different request is refused, and so is a retry while the first is still running
 * (for at most `IN_PROGRESS_LEASE_MS`: then the first is taken for dead).
 *
 * A create that wrote its record and then failed (Temporal down when its workflow was to start) keeps
 * no answer, so its retry runs again: the record's id comes from the key and the request
 * (`idempotentRecordId`), and the retry finds the record and finishes the work instead of making a second.
 */
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { Prisma } from '../../generated/prisma/client';
import { sha256 } from '../../lib/crypto';
import { accountIdOf } from './authenticate';
import { HttpError } from '../http-errors';

const IN_PROGRESS = 0;
const MAX_KEY_LENGTH = 255;
/**
 * A key still in progress after this long belongs to a request that died (its process, or the
 * database while it failed, took the cleanup with it): the next retry takes the key over.
 */
export const IN_PROGRESS_LEASE_MS = 60_000;

/** The header as documented (api/routes.ts); `idempotent` reads and checks it. */
export const idempotencyKeyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .max(MAX_KEY_LENGTH)
    .optional()
    .meta({ description: 'a retry with the same key returns the first result; after a failed attempt it finishes that attempt’s create' }),
});

const requestHashOf = (req: Request) => sha256(JSON.stringify([req.method, req.originalUrl, req.body ?? null]));

/** The id of the record a keyed create makes (an RFC 9562 version 8 UUID); undefined without a key. */
export function idempotentRecordId(req: Request): string | undefined {
  const key = req.header('idempotency-key');
  if (!key) return undefined;
  const hex = sha256(JSON.stringify([accountIdOf(req), key, requestHashOf(req)]));
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function idempotent(db: Database): RequestHandler {
  return async (req, res, next) => {
    const key = req.header('idempotency-key');
    if (!key) return next();
    if (key.length > MAX_KEY_LENGTH) throw new HttpError(400, 'invalid_request', `Idempotency-Key: at most ${MAX_KEY_LENGTH} characters`);
    const accountId = accountIdOf(req);
    const requestHash = requestHashOf(req);

    try {
      await db.idempotencyKey.create({ data: { accountId, key, requestHash, responseStatus: IN_PROGRESS, responseBody: {} } });
    } catch (error) {
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
      const first = await db.idempotencyKey.findUniqueOrThrow({ where: { accountId_key: { accountId, key } } });
      if (first.requestHash !== requestHash) {
        throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request');
      }
      if (first.responseStatus !== IN_PROGRESS) {
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(first.responseStatus).json(first.responseBody);
        return;
      }
      const abandoned = first.createdAt.getTime() < Date.now() - IN_PROGRESS_LEASE_MS;
      // Taken over by exactly one retry: the row must still be the one read.
      const takenOver =
        abandoned &&
        (await db.idempotencyKey.updateMany({ where: { accountId, key, responseStatus: IN_PROGRESS, createdAt: first.createdAt }, data: { createdAt: new Date() } })).count === 1;
      if (!takenOver) throw new HttpError(409, 'idempotency_key_in_progress', 'a request with this Idempotency-Key is still being processed; retry shortly');
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
