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

/** `last_used_at` is written at most this often per key: a request costs no write of its own. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function authenticate(db: Database): RequestHandler {
  return async (req, _res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
    if (!match) throw unauthorized();
    const key = await db.apiKey.findUnique({ where: { keyHash: sha256(match[1]!) }, select: { id: true, accountId: true, revokedAt: true, expiresAt: true, lastUsedAt: true } });
    const now = Date.now();
    if (!key || key.revokedAt) throw unauthorized('unknown or revoked API key');
    if (key.expiresAt && key.expiresAt.getTime() <= now) throw unauthorized('this API key was rotated and its grace period is over; use the new key');
    if (!key.lastUsedAt || now - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      // Best effort: a lost update only makes "last used" a minute older.
      await db.apiKey.updateMany({ where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - LAST_USED_RESOLUTION_MS) } }] }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
    }
    req.accountId = key.accountId;
    next();
  };
}

/** The authenticated account id (the route is behind `authenticate`). */
export function accountIdOf(req: Express.Request): string {
  if (!req.accountId) throw unauthorized();
  return req.accountId;
}
