/**
 * The connection workflow's activities: state reads and writes, push channels, and the three kinds of
 * sync. Each opens its own provider session (credentials never leave the activity) and is safe to
 * run again: channel and sync writes are keyed upserts.
 */
import { Context } from '@temporalio/activity';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { ChannelTokens } from '../lib/channel-tokens';
import type { SecretBox } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import type { ProviderRegistry } from '../providers/registry';
import type { ConnectionStatus } from '../model/connection-status';
import { ensureChannel, stopChannels, type CreationScope, type EnsureChannelOptions } from './channels';
import { ConnectionGoneError, mapFailures } from './failures';
import { openProviderSession } from './provider-session';
import { runIncrementalSync, runInitialSync, runReconcile } from './sync/run-sync';
import { measuredSync } from './sync/sync-metrics';

export interface ConnectionActivityDependencies {
  config: Config;
  db: Database;
  secrets: SecretBox;
  logger: Logger;
  providers: ProviderRegistry;
  /** Sync durations and outcomes; absent where nothing serves /metrics. */
  metrics?: Metrics;
}

export interface StoredConnectionState {
  status: ConnectionStatus;
  statusReason?: string;
  initialSyncDone: boolean;
  initialSyncAt?: string;
  channelExpiresAt?: string;
  cursorUpdatedAt?: string;
  lastSyncAt?: string;
  lastReconcileAt?: string;
}

const iso = (date: Date | null | undefined) => date?.toISOString();

/** What a sync hands back to its workflow. */
export interface SyncChangesResult {
  cursorUpdatedAt?: string;
  fullResync: boolean;
  /** The cursor was invalidated and the full re-read was left to an activity of its own. */
  fullReadNeeded?: true;
}

export function createConnectionActivities(deps: ConnectionActivityDependencies) {
  const { db, config, logger } = deps;
  const session = (connectionId: string) => openProviderSession(deps, connectionId);
  /**
   * A sync clears the webhooks' "sync requested" marker before it reads the calendar, in the
   * statement that opens its session: a change made after this point sets it again and wakes
   * another sync (connections/notification-coalescer.ts).
   */
  const syncSession = (connectionId: string) => openProviderSession(deps, connectionId, { startSync: true });
  const syncSettings = {
    windowPastMs: config.sync.windowPastMs,
    windowFutureMs: config.sync.windowFutureMs,
    blockedGuestDomains: config.sync.blockedGuestDomains,
  };
  const applyDeps = { db, logger };
  const channelTokens = new ChannelTokens(deps.secrets);
  const channelSettings = (provider: string) => ({
    publicBaseUrl: config.api.publicBaseUrl,
    ttlMs: provider === 'MICROSOFT' ? Math.min(config.sync.channelTtlMs, config.sync.graphSubscriptionTtlMs) : config.sync.channelTtlMs,
    tokens: channelTokens,
  });
  /**
   * A failing sync shows on the connection (`lastError`) while Temporal retries it, not only once the
   * retries are spent; the next sync that succeeds clears it. Best effort: the failure may be the
   * database itself.
   */
  const showingFailure = async <R>(connectionId: string, sync: () => Promise<R>): Promise<R> => {
    try {
      return await sync();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await db.calendarConnection.update({ where: { id: connectionId }, data: { lastError: message.slice(0, 2000), lastErrorAt: new Date() } }).catch(() => undefined);
      throw error;
    }
  };
  /** This activity execution, the same across its retries: channel ids derive from it. */
  const creationScope = (): CreationScope => {
    const { workflowExecution, activityId, attempt } = Context.current().info;
    return { id: `${workflowExecution?.runId ?? 'standalone'}/${activityId}`, attempt };
  };

  return {
    loadConnection: mapFailures(async (connectionId: string): Promise<StoredConnectionState> => {
      const row = await db.calendarConnection.findUnique({ where: { id: connectionId } });
      if (!row) throw new ConnectionGoneError(`connection ${connectionId} does not exist`);
      const channel = await db.pushChannel.findFirst({ where: { connectionId, retiredAt: null }, orderBy: { expiresAt: 'desc' } });
      return {
        status: row.status,
        statusReason: row.statusReason ?? undefined,
        initialSyncDone: row.initialSyncAt !== null,
        initialSyncAt: iso(row.initialSyncAt),
        channelExpiresAt: iso(channel?.expiresAt),
        cursorUpdatedAt: iso(row.cursorUpdatedAt),
        lastSyncAt: iso(row.lastSyncAt),
        lastReconcileAt: iso(row.lastReconcileAt),
      };
    }),

    setConnectionStatus: mapFailures(async (connectionId: string, status: ConnectionStatus, reason: string | null): Promise<void> => {
      await db.calendarConnection.update({
        where: { id: connectionId },
        data: { status, statusReason: reason, ...(status === 'DISCONNECTED' ? { disconnectedAt: new Date() } : {}) },
      });
    }),

    recordSyncError: mapFailures(async (connectionId: string, message: string): Promise<void> => {
      logger.warn('sync failed', { connectionId, error: message });
      await db.calendarConnection.update({ where: { id: connectionId }, data: { lastError: message.slice(0, 2000), lastErrorAt: new Date() } });
    }),

    ensureChannel: mapFailures(async (connectionId: string, options: EnsureChannelOptions) => {
      const open = await session(connectionId);
      return ensureChannel(db, open, channelSettings(open.connection.provider), creationScope(), options);
    }),

    /** Stops listening to every channel; stops at the provider wait for valid tokens where the grant is dead. */
    stopChannels: mapFailures(async (connectionId: string): Promise<{ pending: number }> => {
      const open = await session(connectionId).catch(() => undefined);
      return stopChannels(db, open, connectionId);
    }),

    initialSync: mapFailures(async (connectionId: string) => {
      const open = await syncSession(connectionId);
      return showingFailure(connectionId, () => measuredSync(deps.metrics, open.connection.provider, 'initial', () => runInitialSync(applyDeps, open, syncSettings)));
    }),

    /**
     * `notifiedAt`: when the oldest notification this sync answers reached the webhook.
     * `fullReadInline: false` (a local activity): a sync that finds its cursor invalidated reads
     * nothing in full and answers `fullReadNeeded`, for the workflow to run that read as an activity.
     * The workflow keeps only what it shows (the tally goes to the metrics): a small result.
     */
    syncChanges: mapFailures(async (connectionId: string, options: { fullResync: boolean; notifiedAt?: string; fullReadInline?: boolean }): Promise<SyncChangesResult> => {
      const open = await syncSession(connectionId);
      const outcome = await showingFailure(connectionId, () =>
        measuredSync(deps.metrics, open.connection.provider, options.fullResync ? 'full' : 'incremental', () => runIncrementalSync(applyDeps, open, syncSettings, options)),
      );
      if ('fullReadNeeded' in outcome) return { fullResync: false, fullReadNeeded: true };
      if (options.notifiedAt) deps.metrics?.notificationToSync.observe({ provider: open.connection.provider }, (Date.now() - Date.parse(options.notifiedAt)) / 1000);
      return { cursorUpdatedAt: outcome.cursorUpdatedAt, fullResync: outcome.fullResync };
    }),

    reconcile: mapFailures(async (connectionId: string) => {
      const open = await syncSession(connectionId);
      return showingFailure(connectionId, async () => (await measuredSync(deps.metrics, open.connection.provider, 'reconcile', () => runReconcile(applyDeps, open, syncSettings))).report);
    }),
  };
}

export type ConnectionActivities = ReturnType<typeof createConnectionActivities>;
