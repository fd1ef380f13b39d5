/**
 * Bearer API-key authentication: every request is scoped to the key's account. Keys are looked up by
 * their SHA-256 hash; the key itself is never stored.
 */
import type { RequestHandler } from 'express';
import type { Database } from '../../db/client';
import { sha256 } from '../../lib/crypto';
import { unauthorized } from '../http-errors';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The authenticated account; set by `authenticate`. */
      accountId?: string;
    }
  }
}

export function authenticate(db: Database): RequestHandler {
  return async (req, _res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
    if (!match) throw unauthorized();
    const key = await db.apiKey.findUnique({ where: { keyHash: sha256(match[1]!) }, select: { accountId: true, revokedAt: true } });
    if (!key || key.revokedAt) throw unauthorized('unknown or revoked API key');
    req.accountId = key.accountId;
    next();
  };
}

/** The authenticated account id (the route is behind `authenticate`). */
export function accountIdOf(req: Express.Request): string {
  if (!req.accountId) throw unauthorized();
  return req.accountId;
}
