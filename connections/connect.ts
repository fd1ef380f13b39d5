/**
 * Connecting a calendar (SPEC §2): the consent URL, and the callback that stores the tokens encrypted
 * and starts — or, after NEEDS_REAUTH, resumes — the connection's workflow.
 */
import type { Database } from '../db/client';
import type { SecretBox } from '../lib/crypto';
import type { ProviderRegistry } from '../providers/registry';
import type { ProviderName } from '../model/calendar-event';
import type { ApiTemporalClient } from '../api/temporal-client';
import { sealCredentials } from '../db/credentials';
import { consumeState, issueState } from './oauth-state';

export const PROVIDER_LABEL: Record<ProviderName, string> = { GOOGLE: 'Google Calendar', MICROSOFT: 'Microsoft Outlook' };

/** The account has the other provider's integration installed (SPEC §1: one per account). */
export class IntegrationConflictError extends Error {
  override name = 'IntegrationConflictError';
  constructor(readonly installed: ProviderName) {
    super(`This account has the ${PROVIDER_LABEL[installed]} integration installed; only ${PROVIDER_LABEL[installed]} calendars can be connected.`);
  }
}

export class UnknownUserError extends Error {
  override name = 'UnknownUserError';
}

export interface ConnectDependencies {
  db: Database;
  secrets: SecretBox;
  providers: ProviderRegistry;
  temporal: ApiTemporalClient;
  publicBaseUrl: string;
  stateTtlMs: number;
}

export const redirectUri = (publicBaseUrl: string, provider: ProviderName) => `${publicBaseUrl}/oauth/${provider.toLowerCase()}/callback`;

function assertInstallable(installed: ProviderName | null, wanted: ProviderName): void {
  if (installed && installed !== wanted) throw new IntegrationConflictError(installed);
}

export async function authorizationUrl(deps: ConnectDependencies, request: { accountId: string; userId: string; provider: ProviderName }): Promise<string> {
  const user = await deps.db.user.findFirst({ where: { id: request.userId, accountId: request.accountId }, include: { account: true } });
  if (!user) throw new UnknownUserError('user not found');
  assertInstallable(user.account.installedProvider, request.provider);
  const state = await issueState(deps.db, deps.secrets, { userId: user.id, provider: request.provider, ttlMs: deps.stateTtlMs });
  return deps.providers.auth(request.provider).authorizationUrl({ state, redirectUri: redirectUri(deps.publicBaseUrl, request.provider), loginHint: user.email });
}

export interface CompletedConnection {
  connectionId: string;
  resumed: boolean;
  email: string;
}

export async function completeConnection(
  deps: ConnectDependencies,
  request: { provider: ProviderName; code: string; state: string },
): Promise<CompletedConnection> {
  const { db, secrets } = deps;
  const { userId } = await consumeState(db, secrets, request.state, request.provider);
  const user = await db.user.findUnique({ where: { id: userId }, include: { account: true, connection: true } });
  if (!user) throw new UnknownUserError('the user this authorization was for no longer exists');
  assertInstallable(user.account.installedProvider, request.provider);

  const { credentials, email } = await deps.providers.auth(request.provider).exchangeCode({
    code: request.code,
    redirectUri: redirectUri(deps.publicBaseUrl, request.provider),
  });

  const previous = user.connection;
  // A live connection keeps its workflow, cursor and baseline; only its tokens change.
  const continuing = previous !== null && previous.status !== 'DISCONNECTED' && previous.provider === request.provider;
  const resumed = continuing && previous.status === 'NEEDS_REAUTH';
  const connection = await db.$transaction(async (tx) => {
    // Claim the account for this provider unless another claim won meanwhile.
    const claimed = await tx.account.updateMany({
      where: { id: user.accountId, OR: [{ installedProvider: null }, { installedProvider: request.provider }] },
      data: { installedProvider: request.provider },
    });
    if (claimed.count === 0) {
      const account = await tx.account.findUniqueOrThrow({ where: { id: user.accountId } });
      throw new IntegrationConflictError(account.installedProvider!);
    }
    const fresh = {
      provider: request.provider,
      providerEmail: email,
      status: 'CONNECTING' as const,
      statusReason: null,
      cursor: null,
      cursorUpdatedAt: null,
      initialSyncAt: null,
      disconnectedAt: null,
      lastError: null,
      connectedAt: new Date(),
    };
    const row = continuing
      ? await tx.calendarConnection.update({ where: { id: previous.id }, data: { providerEmail: email, lastError: null } })
      : previous
        ? // Connecting again after a disconnect: what is in the calendar now is the new baseline (SPEC §4.3).
          await tx.calendarConnection.update({ where: { id: previous.id }, data: fresh })
        : await tx.calendarConnection.create({ data: { ...fresh, accountId: user.accountId, userId: user.id } });
    await tx.calendarConnection.update({ where: { id: row.id }, data: { encryptedCredentials: sealCredentials(secrets, row.id, credentials) } });
    return row;
  });

  const ref = { id: connection.id, accountId: user.accountId, userId: user.id, provider: request.provider };
  if (resumed) await deps.temporal.resume(ref);
  else await deps.temporal.start(ref);
  return { connectionId: connection.id, resumed, email };
}
