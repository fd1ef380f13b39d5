/**
 * Opens a provider client for one connection: loads and decrypts its credentials (they never leave
 * the activity), refreshes the access token shortly before it expires and stores the new one, and
 * retries a call once after refreshing when the provider says the token expired anyway.
 */
import type { Database } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import { openCredentials, sealCredentials } from '../db/credentials';
import type { SecretBox } from '../lib/crypto';
import type { Metrics } from '../lib/metrics';
import { ProviderError, transient } from '../providers/errors';
import type { ProviderRegistry } from '../providers/registry';
import type { ProviderName } from '../model/calendar-event';
import type { CalendarProvider, StoredCredentials } from '../providers/types';
import { ConnectionGoneError } from './failures';
import { ACCOUNT_CONTEXT_COLUMNS, accountContextColumnsOf, type AccountContextRow } from './sync/account-context';

/** Refresh tokens this long before they expire, so no call races the expiry. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** How long a refresh may hold the connection's lease; a crashed holder's lease lapses after it. */
const REFRESH_LEASE_MS = 60_000;
const REFRESH_WAIT_STEP_MS = 200;

export interface ProviderSession {
  connection: {
    id: string;
    accountId: string;
    userId: string;
    provider: ProviderName;
    providerEmail: string;
  };
  /**
   * Runs `call` with the calendar client; refreshes and retries once on an expired token.
   * `spendExpiringToken`: use an access token until it actually expires instead of refreshing it
   * shortly before, so that a channel can still be stopped after the refresh token died.
   */
  run<T>(call: (calendar: CalendarProvider) => Promise<T>, options?: { spendExpiringToken?: boolean }): Promise<T>;
  /** The stored provider cursor, read with the session when it was opened for a sync (`startSync`). */
  cursor?: string | null;
  /** The sync rules' reads of the account, read with the session when it was opened for a sync. */
  account?: AccountContextRow;
}

export interface OpenSessionOptions {
  /**
   * The session opens a sync: the webhooks' "sync requested" marker is cleared in the same statement
   * that reads the connection (a change made after it wakes another sync, see
   * connections/notification-coalescer.ts), and the stored cursor and the account's sync context
   * come along.
   */
  startSync?: boolean;
}

/** The connection's columns a session needs, read in one statement. */
interface SessionRow {
  id: string;
  account_id: string;
  user_id: string;
  provider: ProviderName;
  status: string;
  provider_email: string;
  encrypted_credentials: string | null;
  cursor: string | null;
}

const SESSION_COLUMNS = Prisma.sql`c.id, c.account_id, c.user_id, c.provider::text AS provider, c.status::text AS status, c.provider_email, c.encrypted_credentials, c.cursor`;

function readSessionRow(db: Database, connectionId: string): Promise<SessionRow[]> {
  return db.$queryRaw<SessionRow[]>`SELECT ${SESSION_COLUMNS} FROM calendar_connections c WHERE c.id = ${connectionId}::uuid`;
}

function readSyncSessionRow(db: Database, connectionId: string): Promise<(SessionRow & AccountContextRow)[]> {
  return db.$queryRaw<(SessionRow & AccountContextRow)[]>`
    WITH cleared AS (
      UPDATE calendar_connections SET sync_requested_at = NULL WHERE id = ${connectionId}::uuid AND sync_requested_at IS NOT NULL
    )
    SELECT ${SESSION_COLUMNS}, ${ACCOUNT_CONTEXT_COLUMNS}
    FROM calendar_connections c JOIN accounts a ON a.id = c.account_id WHERE c.id = ${connectionId}::uuid`;
}

/** How a provider call ended, for the metric: a bounded set (throttles apart from other transient failures). */
function callOutcome(error: unknown): string {
  if (!(error instanceof ProviderError)) return 'error';
  if (error.kind === 'transient' && (error.details.status === 429 || error.details.retryAfterMs !== undefined)) return 'throttled';
  return error.kind;
}

/** Times and counts every call of the calendar client by operation (one place for both providers). */
function measured(calendar: CalendarProvider, metrics: Metrics | undefined): CalendarProvider {
  if (!metrics) return calendar;
  return new Proxy(calendar, {
    get(target, property, receiver) {
      const member = Reflect.get(target, property, receiver);
      if (typeof member !== 'function' || typeof property !== 'string') return member;
      return async (...args: unknown[]) => {
        const end = metrics.providerCalls.startTimer({ provider: target.name, operation: property });
        try {
          const result = await member.apply(target, args);
          end({ outcome: 'ok' });
          return result;
        } catch (error) {
          end({ outcome: callOutcome(error) });
          throw error;
        }
      };
    },
  });
}

export async function openProviderSession(
  deps: { db: Database; secrets: SecretBox; providers: ProviderRegistry; metrics?: Metrics },
  connectionId: string,
  options: OpenSessionOptions = {},
): Promise<ProviderSession> {
  const { db, secrets, providers } = deps;
  const [syncRow] = options.startSync ? await readSyncSessionRow(db, connectionId) : [];
  const row = options.startSync ? syncRow : (await readSessionRow(db, connectionId))[0];
  if (!row || row.status === 'DISCONNECTED') throw new ConnectionGoneError(`connection ${connectionId} is gone or disconnected`);
  const provider = row.provider;
  let credentials = readCredentials(row.encrypted_credentials);

  function readCredentials(sealed: string | null): StoredCredentials {
    if (!sealed) throw new ProviderError('authRevoked', 'no stored credentials');
    return openCredentials<StoredCredentials>(secrets, connectionId, sealed);
  }

  /** Credentials as stored now: another activity may have refreshed them. */
  async function storedCredentials(): Promise<StoredCredentials> {
    const current = await db.calendarConnection.findUnique({ where: { id: connectionId }, select: { encryptedCredentials: true } });
    return readCredentials(current?.encryptedCredentials ?? null);
  }

  /** Claims the connection's refresh lease (database time, so workers' clocks do not matter). */
  async function claimRefreshLease(): Promise<boolean> {
    const claimed = await db.$executeRaw`
      UPDATE calendar_connections SET refresh_lease_until = now() + make_interval(secs => ${REFRESH_LEASE_MS / 1000})
      WHERE id = ${connectionId}::uuid AND (refresh_lease_until IS NULL OR refresh_lease_until < now())`;
    return claimed === 1;
  }

  /**
   * Refreshes the tokens once for all concurrent activities (sync, scheduling): the one that claims
   * the lease calls the provider and stores the result, the others wait and then use what it stored,
   * so no refresh token is spent twice. No transaction spans the provider call.
   */
  async function refresh(force: boolean): Promise<void> {
    // `force`: the provider refused the token this session holds; a different stored one is news.
    const usable = (stored: StoredCredentials) =>
      Date.parse(stored.expiresAt) - REFRESH_MARGIN_MS > Date.now() && (!force || stored.accessToken !== credentials.accessToken);
    const givenUpAt = Date.now() + REFRESH_LEASE_MS;
    for (;;) {
      const stored = await storedCredentials();
      if (usable(stored)) {
        credentials = stored;
        return;
      }
      if (await claimRefreshLease()) {
        try {
          // The previous holder may have stored fresh tokens between the read above and the claim.
          const latest = await storedCredentials();
          if (usable(latest)) {
            credentials = latest;
            return;
          }
          const fresh = await providers.auth(provider).refresh(latest);
          await db.calendarConnection.update({ where: { id: connectionId }, data: { encryptedCredentials: sealCredentials(secrets, connectionId, fresh) } });
          credentials = fresh;
          return;
        } finally {
          await db.calendarConnection.updateMany({ where: { id: connectionId }, data: { refreshLeaseUntil: null } });
        }
      }
      if (Date.now() > givenUpAt) throw transient(`another worker has been refreshing the tokens of connection ${connectionId} for too long`);
      await new Promise((resolve) => setTimeout(resolve, REFRESH_WAIT_STEP_MS));
    }
  }

  const calendarRefreshingAhead = (marginMs: number) =>
    measured(
      providers.calendar(provider, async () => {
        if (Date.parse(credentials.expiresAt) - marginMs <= Date.now()) await refresh(false);
        return credentials.accessToken;
      }),
      deps.metrics,
    );
  const calendar = calendarRefreshingAhead(REFRESH_MARGIN_MS);
  let calendarSpendingExpiring: CalendarProvider | undefined;

  return {
    connection: { id: row.id, accountId: row.account_id, userId: row.user_id, provider, providerEmail: row.provider_email },
    ...(syncRow ? { cursor: syncRow.cursor, account: accountContextColumnsOf(syncRow) } : {}),
    async run(call, options) {
      const client = options?.spendExpiringToken ? (calendarSpendingExpiring ??= calendarRefreshingAhead(0)) : calendar;
      try {
        return await call(client);
      } catch (error) {
        if (!(error instanceof ProviderError && error.kind === 'authExpired')) throw error;
        await refresh(true);
        return call(client);
      }
    },
  };
}
