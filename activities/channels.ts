/**
 * Push channels (Google watch channels, Graph subscriptions): create, renew before expiry, stop.
 * Channel secrets are stored as hashes; the webhook compares what the provider echoes.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client';
import { randomToken, sha256 } from '../lib/crypto';
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
  ttlMs: number;
}

function newChannelRequest(session: ProviderSession, settings: ChannelSettings): CreateChannelRequest {
  return {
    ...webhookAddresses(settings.publicBaseUrl, session.connection.provider),
    channelId: randomUUID(),
    secret: randomToken(),
    expiresAt: new Date(Date.now() + settings.ttlMs).toISOString(),
  };
}

async function saveChannel(db: Database, connectionId: string, channel: PushChannel, secret: string): Promise<void> {
  await db.pushChannel.create({
    data: { id: channel.id, connectionId, resourceId: channel.resourceId ?? null, secretHash: sha256(secret), expiresAt: new Date(channel.expiresAt) },
  });
}

/** Stops a channel at the provider; one already gone (or unreachable without auth) is only marked stopped. */
async function stopOne(db: Database, session: ProviderSession | undefined, channel: { id: string; resourceId: string | null; expiresAt: Date }): Promise<void> {
  if (session) {
    try {
      await session.run((calendar) =>
        calendar.stopChannel({ id: channel.id, resourceId: channel.resourceId ?? undefined, secret: '', expiresAt: channel.expiresAt.toISOString() }),
      );
    } catch (error) {
      const gone = error instanceof ProviderError && (error.kind === 'notFound' || error.kind === 'authRevoked' || error.kind === 'permissionDenied');
      if (!gone) throw error;
    }
  }
  await db.pushChannel.update({ where: { id: channel.id }, data: { stoppedAt: new Date() } });
}

export async function ensureChannel(
  db: Database,
  session: ProviderSession,
  settings: ChannelSettings,
  options: EnsureChannelOptions,
): Promise<{ expiresAt: string }> {
  const connectionId = session.connection.id;
  const active = await db.pushChannel.findFirst({ where: { connectionId, stoppedAt: null }, orderBy: { expiresAt: 'desc' } });

  if (!active || options.recreate) {
    if (active) await stopOne(db, session, active);
    const request = newChannelRequest(session, settings);
    const channel = await session.run((calendar) => calendar.createChannel(request));
    await saveChannel(db, connectionId, channel, request.secret);
    return { expiresAt: channel.expiresAt };
  }
  if (!options.forceRenew && active.expiresAt.getTime() > Date.parse(options.renewIfExpiringBefore)) {
    return { expiresAt: active.expiresAt.toISOString() };
  }

  const request = newChannelRequest(session, settings);
  const current: PushChannel = { id: active.id, resourceId: active.resourceId ?? undefined, secret: '', expiresAt: active.expiresAt.toISOString() };
  const renewed = await session.run((calendar) => calendar.renewChannel(current, request));
  if (renewed.id === active.id) {
    // Graph renews in place (PATCH of the expiry); the clientState, and so the stored hash, stay.
    await db.pushChannel.update({ where: { id: active.id }, data: { expiresAt: new Date(renewed.expiresAt) } });
  } else {
    // Google: the new channel first, then stop the old one (notifications overlap, none is missed).
    await saveChannel(db, connectionId, renewed, request.secret);
    await stopOne(db, session, active);
  }
  return { expiresAt: renewed.expiresAt };
}

export async function stopChannels(db: Database, session: ProviderSession | undefined, connectionId: string): Promise<number> {
  const channels = await db.pushChannel.findMany({ where: { connectionId, stoppedAt: null } });
  for (const channel of channels) await stopOne(db, session, channel);
  return channels.length;
}
