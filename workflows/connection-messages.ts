/**
 * The connection workflow's inputs, signals, queries and updates: shared by the workflow, the API
 * (which signals it) and operators' tools. Ids only — tokens never enter Temporal (SPEC §2).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ProviderName } from '../model/calendar-event';
import type { ConnectionStatus } from '../model/connection-status';

/** Durations the workflow waits on; from configuration, shrunk by tests. */
export interface ConnectionTimings {
  pollIntervalMs: number;
  reconcileIntervalMs: number;
  /** Renew the push channel this long before it expires. */
  channelRenewMarginMs: number;
  /** Activity heartbeat timeout: how fast a sync on a dead worker is retried elsewhere. */
  activityHeartbeatTimeoutMs: number;
  /** Least time between the starts of two syncs (absent in runs started before it existed). */
  syncSpacingMs?: number;
}

export interface LastReconcile {
  at: string;
  checked: number;
  repaired: number;
}

/** What a run hands to the next across continue-as-new, so nothing (signals included) is lost. */
export interface CarriedState {
  status: ConnectionStatus;
  statusReason?: string;
  initialSyncDone: boolean;
  syncRequested: boolean;
  resyncRequested: boolean;
  lastSyncAt?: string;
  cursorUpdatedAt?: string;
  channelExpiresAt?: string;
  lastReconcile?: LastReconcile;
  /** The reconciliation interval counts from here: the initial sync, then each reconciliation. */
  reconcileFrom?: string;
  lastError?: string;
  syncCount: number;
  /** Epoch ms before which a push channel that failed to open is not tried again (polling covers). */
  channelRetryAt?: number;
  /** Epoch ms of the last sync attempt: the fallback poll counts from it. */
  lastSyncAttemptAt: number;
  /** When the oldest notification not yet synced reached the webhook (ISO). */
  oldestNotificationAt?: string;
  /** Requests that arrived by signal and are not yet carried out. */
  disconnectRequested: boolean;
  reauthorized: boolean;
  channelRenewRequested: boolean;
  channelRecreateRequested: boolean;
}

export interface ConnectionWorkflowInput {
  connectionId: string;
  accountId: string;
  userId: string;
  provider: ProviderName;
  timings: ConnectionTimings;
  /** Set by continue-as-new; absent on the first run. */
  carried?: CarriedState;
}

export interface ConnectionStatusView {
  connectionId: string;
  status: ConnectionStatus;
  statusReason?: string;
  provider: ProviderName;
  userId: string;
  accountId: string;
  lastSyncAt?: string;
  /**
   * When the provider cursor last moved. An age computed inside the query would be frozen: a
   * query's clock stops at the workflow's last task, so readers compute the age themselves.
   */
  cursorUpdatedAt?: string;
  channelExpiresAt?: string;
  lastReconcile?: LastReconcile;
  lastError?: string;
  syncCount: number;
  syncPending: boolean;
}

/**
 * Why the webhook woke the workflow. Graph lifecycle events need more than a sync. `notifiedAt`:
 * when the webhook took the notification (ISO), for the notification → sync latency metric.
 */
export type ChangeNotice = { kind: 'changed' | 'missed' | 'subscriptionRemoved' | 'reauthorizationRequired'; notifiedAt?: string };

/** A provider said something changed (push notification or Graph lifecycle event). */
export const changesNotifiedSignal = defineSignal<[ChangeNotice]>('changesNotified');
/** The user connected again after NEEDS_REAUTH: fresh tokens are in the database. */
export const reauthorizedSignal = defineSignal('reauthorized');
/** Stop syncing for good: stop the channel, mark the connection disconnected, end. */
export const disconnectSignal = defineSignal('disconnect');
/** Operators: forget the cursor and re-read the whole window (duplicates are impossible by design). */
export const resyncUpdate = defineUpdate<{ accepted: true }>('resync');
export const statusQuery = defineQuery<ConnectionStatusView>('status');

export const connectionWorkflowId = (connectionId: string) => `calendar-connection-${connectionId}`;
