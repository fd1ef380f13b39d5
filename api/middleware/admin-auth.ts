/**
 * The operators' bearer token for /admin: one secret from configuration (ADMIN_TOKEN), compared in
 * constant time. It is a different credential from the accounts' API keys: /v1 never accepts it
 * (it is no key's hash) and /admin never accepts an API key. Without a token the admin API is off.
 */
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError, unauthorized } from '../http-errors';

export function adminAuth(adminToken: string | undefined): RequestHandler {
  const expected = adminToken ? crypto.createHash('sha256').update(adminToken).digest() : undefined;
  return (req, _res, next) => {
    if (!expected) throw new HttpError(404, 'not_found', 'the admin API is off: set ADMIN_TOKEN to turn it on');
    const match = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
    const given = match ? crypto.createHash('sha256').update(match[1]!).digest() : undefined;
    if (!given || !crypto.timingSafeEqual(given, expected)) throw unauthorized('the admin token is required (Authorization: Bearer <ADMIN_TOKEN>)');
    next();
  };
}
