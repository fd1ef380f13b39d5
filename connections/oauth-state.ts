/**
 * The OAuth `state` parameter: signed (HMAC), short-lived, bound to the user and the provider, and
 * usable once — a forged, replayed or expired state is refused (SPEC §2).
 */
import type { Database } from '../db/client';
import { randomToken, type SecretBox } from '../lib/crypto';
import type { ProviderName } from '../model/calendar-event';

interface StatePayload {
  n: string; // nonce
  u: string; // user id
  p: ProviderName;
  e: number; // expiry, epoch ms
}

export class InvalidStateError extends Error {
  override name = 'InvalidStateError';
}

/** A genuine state spent before: typically the user reloading the callback page after it worked. */
export class StateAlreadyUsedError extends InvalidStateError {
  override name = 'StateAlreadyUsedError';
  constructor(readonly userId: string) {
    super('the state parameter was already used');
  }
}

export async function issueState(
  db: Database,
  secrets: SecretBox,
  request: { userId: string; provider: ProviderName; ttlMs: number },
): Promise<string> {
  const payload: StatePayload = { n: randomToken(16), u: request.userId, p: request.provider, e: Date.now() + request.ttlMs };
  await db.oAuthState.create({ data: { nonce: payload.n, userId: payload.u, provider: payload.p, expiresAt: new Date(payload.e) } });
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${encoded}.${secrets.sign(encoded)}`;
}

/** Verifies and spends a state; returns whom it was issued to. */
export async function consumeState(
  db: Database,
  secrets: SecretBox,
  state: string,
  provider: ProviderName,
): Promise<{ userId: string }> {
  const [encoded, signature] = state.split('.');
  if (!encoded || !signature || !secrets.verify(encoded, signature)) throw new InvalidStateError('the state parameter is not one this service issued');
  let payload: StatePayload;
  try {
    payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as StatePayload;
  } catch {
    throw new InvalidStateError('the state parameter is malformed');
  }
  if (payload.p !== provider) throw new InvalidStateError('the state parameter was issued for another provider');
  if (payload.e <= Date.now()) throw new InvalidStateError('the authorization request expired; start connecting again');
  // Spend it atomically: of two callbacks racing with one state, one wins.
  const spent = await db.oAuthState.updateMany({
    where: { nonce: payload.n, userId: payload.u, usedAt: null, expiresAt: { gt: new Date() } },
    data: { usedAt: new Date() },
  });
  if (spent.count !== 1) throw new StateAlreadyUsedError(payload.u);
  return { userId: payload.u };
}
