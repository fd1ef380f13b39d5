/**
 * Push channels (Google watch channels, Graph subscriptions): create, renew before expiry, stop.
 *
 * A channel's token is signed (lib/channel-tokens.ts), so nothing secret is stored. Its life in the
 * database: active → retired (the service stopped listening; webhooks refuse it) → stopped (the
 * provider confirmed, no longer knew it, or it expired). A stop the provider refused for a dead
 * grant stays pending and is tried again whenever valid tokens exist (the next `ensureChannel`, after
 * a reconnect); one that failed transiently fails the activity, which Temporal retries.
 *
 * Channel ids derive from the creating activity's identity and attempt number, so a retry knows which
 * ids its earlier attempts may have created without recording them, and stops those: a worker dying
 * between "created at the provider" and "saved" leaves no orphan.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../db/client';
import type { ChannelTokens } from '../lib/channel-tokens';
import { ProviderError } from '../providers/errors';
import type { CreateChannelRequest, PushChannel } from '../providers/types';
import type { ProviderSession } from './provider-session';
import { webhookAddresses } from './webhook-addresses';

export interface EnsureChannelOptions {
  /** Renew when the active channel expires before this instant (ISO). */
  renewIfExpiringBefore: string;
  /** Renew now whatever the expiry (Graph `reauthorizationRequired`). */
  forceRenew?: boolean;
  /** The provider dropped the channel (Graph `subscriptionRemoved`): make a new one. */
  recreate?: boolean;
}

export interface ChannelSettings {
  publicBaseUrl: string;
  /** Requested lifetime for this connection's provider. */
  ttlMs: number;
  tokens: ChannelTokens;
}

/** The activity execution that creates channels: the same `id` for each of its retries. */
export interface CreationScope {
  id: string;
  attempt: number;
}

interface ChannelRow {
  id: string;
  resourceId: string | null;
  expiresAt: Date;
}

/** A uuid-shaped channel id, the same for the same activity attempt. */
export function channelIdFor(scope: CreationScope, attempt = scope.attempt): string {
  const hex = createHash('sha256').update(`${scope.id}#${attempt}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const asPushChannel = (row: ChannelRow): PushChannel => ({ id: row.id, resourceId: row.resourceId ?? undefined, secret: '', expiresAt: row.expiresAt.toISOString() });

const deadGrant = (error: unknown) => error instanceof ProviderError && (error.kind === 'authRevoked' || error.kind === 'permissionDenied');

/**
 * Stops retired channels at the provider; an expired one needs no call. Returns how many stay
 * pending because the provider refused the grant.
 */
async function settleRetired(db: Database, session: ProviderSession | undefined, connectionId: string): Promise<number> {
  const retired = await db.pushChannel.findMany({ where: { connectionId, retiredAt: { not: null }, stoppedAt: null } });
  let pending = 0;
  for (const channel of retired) {
    if (channel.expiresAt.getTime() <= Date.now()) {
      await db.pushChannel.update({ where: { id: channel.id }, data: { stoppedAt: channel.expiresAt } });
      continue;
    }
    if (!session) {
      pending += 1;
      continue;
    }
    try {
      await session.run((calendar) => calendar.stopChannel(asPushChannel(channel)), { spendExpiringToken: true });
    } catch (error) {
      if (deadGrant(error)) {
        pending += 1;
        continue;
      }
      if (!(error instanceof ProviderError && error.kind === 'notFound')) throw error;
    }
    await db.pushChannel.update({ where: { id: channel.id }, data: { stoppedAt: new Date() } });
  }
  return pending;
}

async function retire(db: Database, where: { connectionId: string; id?: string }): Promise<void> {
  await db.pushChannel.updateMany({ where: { ...where, retiredAt: null }, data: { retiredAt: new Date() } });
}

/** Creates a channel with this attempt's id, records it, then stops what earlier attempts left behind. */
async function createChannel(db: Database, session: ProviderSession, settings: ChannelSettings, scope: CreationScope, current?: ChannelRow): Promise<PushChannel> {
  const connectionId = session.connection.id;
  const channelId = channelIdFor(scope);
  const request: CreateChannelRequest = {
    ...webhookAddresses(settings.publicBaseUrl, session.connection.provider),
    channelId,
    secret: settings.tokens.issue({ connectionId, channelKey: channelId }),
    expiresAt: new Date(Date.now() + settings.ttlMs).toISOString(),
  };
  const channel = await session.run((calendar) => (current ? calendar.renewChannel(asPushChannel(current), request) : calendar.createChannel(request)));
  if (current && channel.id === current.id) {
    // Graph renews in place (PATCH of the expiry); the clientState stays.
    await db.pushChannel.update({ where: { id: current.id }, data: { expiresAt: new Date(channel.expiresAt) } });
    return channel;
  }
  await db.pushChannel.upsert({
    where: { id: channel.id },
    create: { id: channel.id, connectionId, resourceId: channel.resourceId ?? null, expiresAt: new Date(channel.expiresAt) },
    update: { resourceId: channel.resourceId ?? null, expiresAt: new Date(channel.expiresAt) },
  });
  if (scope.attempt > 1) {
    const earlierIds = Array.from({ length: scope.attempt - 1 }, (_, i) => channelIdFor(scope, i + 1));
    const recorded = await db.pushChannel.findMany({ where: { connectionId }, select: { id: true } });
    const recordedIds = recorded.map((row) => row.id);
    await session.run((calendar) =>
      calendar.stopUnrecordedChannels({
        address: request.address,
        candidateIds: earlierIds.filter((id) => !recordedIds.includes(id)),
        resourceId: channel.resourceId,
        keep: recordedIds,
      }),
    );
  }
  return channel;
}

export async function ensureChannel(
  db: Database,
  session: ProviderSession,
  settings: ChannelSettings,
  scope: CreationScope,
  options: EnsureChannelOptions,
): Promise<{ expiresAt: string }> {
  const connectionId = session.connection.id;
  // Valid tokens are here now: stop what a dead grant left running (SPEC §3: the channel is stopped).
  await settleRetired(db, session, connectionId);
  const active = await db.pushChannel.findFirst({ where: { connectionId, retiredAt: null }, orderBy: { expiresAt: 'desc' } });

  if (!active || options.recreate || active.expiresAt.getTime() <= Date.now()) {
    if (active) {
      await retire(db, { connectionId, id: active.id });
      await settleRetired(db, session, connectionId);
    }
    return { expiresAt: (await createChannel(db, session, settings, scope)).expiresAt };
  }
  if (!options.forceRenew && active.expiresAt.getTime() > Date.parse(options.renewIfExpiringBefore)) {
    return { expiresAt: active.expiresAt.toISOString() };
  }
  const renewed = await createChannel(db, session, settings, scope, active);
  if (renewed.id !== active.id) {
    // Google: the new channel first, then stop the old one (notifications overlap, none is missed).
    await retire(db, { connectionId, id: active.id });
    await settleRetired(db, session, connectionId);
  }
  return { expiresAt: renewed.expiresAt };
}

/**
 * Stops listening to every channel of the connection and stops them at the provider where it
 * accepts the call. `pending` counts those a dead grant keeps alive until valid tokens return or
 * they expire; webhooks refuse them meanwhile.
 */
export async function stopChannels(db: Database, session: ProviderSession | undefined, connectionId: string): Promise<{ pending: number }> {
  await retire(db, { connectionId });
  return { pending: await settleRetired(db, session, connectionId) };
}
