/**
 * Opens a provider client for one connection: loads and decrypts its credentials (they never leave
 * the activity), refreshes the access token shortly before it expires and stores the new one, and
 * retries a call once after refreshing when the provider says the token expired anyway.
 */
import type { Database } from '../db/client';
import type { SecretBox } from '../lib/crypto';
import { ProviderError } from '../providers/errors';
import type { ProviderRegistry } from '../providers/registry';
import type { CalendarProvider, ProviderName, StoredCredentials } from '../providers/types';
import { ConnectionGoneError } from './failures';

/** Refresh tokens this long before they expire, so no call races the expiry. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface ProviderSession {
  connection: {
    id: string;
    accountId: string;
    userId: string;
    provider: ProviderName;
    providerEmail: string;
  };
  /** Runs `call` with the calendar client; refreshes and retries once on an expired token. */
  run<T>(call: (calendar: CalendarProvider) => Promise<T>): Promise<T>;
}

export function credentialsContext(connectionId: string): string {
  return `connection:${connectionId}`;
}

export function sealCredentials(secrets: SecretBox, connectionId: string, credentials: StoredCredentials): string {
  return secrets.encrypt(JSON.stringify(credentials), credentialsContext(connectionId));
}

export async function openProviderSession(
  deps: { db: Database; secrets: SecretBox; providers: ProviderRegistry },
  connectionId: string,
): Promise<ProviderSession> {
  const { db, secrets, providers } = deps;
  const row = await db.calendarConnection.findUnique({ where: { id: connectionId } });
  if (!row || row.status === 'DISCONNECTED') throw new ConnectionGoneError(`connection ${connectionId} is gone or disconnected`);
  const provider = row.provider as ProviderName;
  let credentials = readCredentials(row.encryptedCredentials);

  function readCredentials(sealed: string | null): StoredCredentials {
    if (!sealed) throw new ProviderError('authRevoked', 'no stored credentials');
    return JSON.parse(secrets.decrypt(sealed, credentialsContext(connectionId))) as StoredCredentials;
  }

  /**
   * Refreshes under a per-connection lock, so concurrent activities (sync, scheduling) do not spend the
   * same refresh token twice; one that waited finds fresh credentials and uses them.
   */
  async function refresh(force: boolean): Promise<void> {
    credentials = await db.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${connectionId}))`;
        const current = await tx.calendarConnection.findUnique({ where: { id: connectionId }, select: { encryptedCredentials: true } });
        const stored = readCredentials(current?.encryptedCredentials ?? null);
        const stillValid = Date.parse(stored.expiresAt) - REFRESH_MARGIN_MS > Date.now();
        if (stillValid && (!force || stored.accessToken !== credentials.accessToken)) return stored;
        const fresh = await providers.auth(provider).refresh(stored);
        await tx.calendarConnection.update({
          where: { id: connectionId },
          data: { encryptedCredentials: sealCredentials(secrets, connectionId, fresh) },
        });
        return fresh;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  }

  const calendar = providers.calendar(provider, async () => {
    if (Date.parse(credentials.expiresAt) - REFRESH_MARGIN_MS <= Date.now()) await refresh(false);
    return credentials.accessToken;
  });

  return {
    connection: { id: row.id, accountId: row.accountId, userId: row.userId, provider, providerEmail: row.providerEmail },
    async run(call) {
      try {
        return await call(calendar);
      } catch (error) {
        if (!(error instanceof ProviderError && error.kind === 'authExpired')) throw error;
        await refresh(true);
        return call(calendar);
      }
    },
  };
}
