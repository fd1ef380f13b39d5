/**
 * The connection workflow's state (`CarriedState`, handed across continue-as-new) and every change
 * made to it, in one place: what a signal or update records, what a sync, a reconciliation or a
 * channel open leaves behind, what loading the stored connection and reauthorizing restore. Pure
 * functions that return the next state; the workflow (connection.ts) awaits the activities and
 * assigns what these return, always to the state as it is after the await, so a signal that arrived
 * meanwhile is kept. No Temporal import, no clock: `now` is the caller's.
 *
 * The carried state is a workflow input: a field renamed or given another meaning here must still
 * read what running workflows carry (README "Changing workflow code").
 */
import type { StoredConnectionState } from '../activities/connection';
import type { ConnectionStatus } from '../model/connection-status';
import type { CarriedState, ChangeNotice, ConnectionStatusView, ConnectionWorkflowInput, LastReconcile } from './connection-messages';
import { FAILED_SYNC_RETRY_MS, type Schedule } from './connection-schedule';

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** A first run before it has read the stored connection: nothing synced, nothing asked for. */
export function initialState(): CarriedState {
  return {
    status: 'CONNECTING',
    initialSyncDone: false,
    syncRequested: false,
    resyncRequested: false,
    syncCount: 0,
    lastSyncAttemptAt: 0,
    disconnectRequested: false,
    reauthorized: false,
    channelRenewRequested: false,
    channelRecreateRequested: false,
  };
}

/**
 * A first run resumes from the connection's row: a workflow started again (after a worker's cache
 * or a terminated run) skips an initial sync already done and keeps its reconciliation rhythm.
 * A stored DISCONNECTED (a connection connected again) starts over as CONNECTING.
 */
export function withStoredConnection(state: CarriedState, stored: StoredConnectionState): CarriedState {
  return {
    ...state,
    initialSyncDone: stored.initialSyncDone,
    channelExpiresAt: stored.channelExpiresAt,
    cursorUpdatedAt: stored.cursorUpdatedAt,
    lastSyncAt: stored.lastSyncAt,
    reconcileFrom: stored.lastReconcileAt ?? stored.initialSyncAt,
    status: stored.status === 'NEEDS_REAUTH' ? 'NEEDS_REAUTH' : stored.status === 'ACTIVE' ? 'ACTIVE' : 'CONNECTING',
    statusReason: stored.statusReason,
  };
}

/**
 * A notification asks for a sync; a burst of them is one request (coalescing). The oldest one not
 * yet synced is kept for the notification → sync latency. Graph lifecycle events ask for the
 * channel too: a removed subscription is created again, a reauthorization request renews it.
 */
export function withChangeNotice(state: CarriedState, notice: ChangeNotice): CarriedState {
  return {
    ...state,
    syncRequested: true,
    oldestNotificationAt: state.oldestNotificationAt ?? notice.notifiedAt,
    channelRecreateRequested: state.channelRecreateRequested || notice.kind === 'subscriptionRemoved',
    channelRenewRequested: state.channelRenewRequested || notice.kind === 'reauthorizationRequired',
  };
}

/** The user connected again: the loop waiting in NEEDS_REAUTH resumes at its next check. */
export const withReauthorized = (state: CarriedState): CarriedState => ({ ...state, reauthorized: true });
/** Carried out at the top of the next turn, after the work in progress. */
export const withDisconnectRequested = (state: CarriedState): CarriedState => ({ ...state, disconnectRequested: true });
/** An operator's full re-read, run by the next sync instead of an incremental one. */
export const withResyncRequested = (state: CarriedState): CarriedState => ({ ...state, resyncRequested: true });

/**
 * Why a resync is refused (the API answers 409 not_syncing): a connection that needs re-auth or is
 * disconnecting cannot read its calendar, and accepting would promise a sync that never comes.
 */
export function resyncRefusal(state: CarriedState): string | undefined {
  if (state.status === 'NEEDS_REAUTH' || state.status === 'DISCONNECTED' || state.disconnectRequested) {
    return `cannot resync a connection that is ${state.disconnectRequested ? 'disconnecting' : state.status}`;
  }
  return undefined;
}

/** What the status query answers; `syncPending` says a sync was asked for and has not started. */
export function statusView(state: CarriedState, input: ConnectionWorkflowInput): ConnectionStatusView {
  return {
    connectionId: input.connectionId,
    status: state.status,
    statusReason: state.statusReason,
    provider: input.provider,
    userId: input.userId,
    accountId: input.accountId,
    lastSyncAt: state.lastSyncAt,
    cursorUpdatedAt: state.cursorUpdatedAt,
    channelExpiresAt: state.channelExpiresAt,
    lastReconcile: state.lastReconcile,
    lastError: state.lastError,
    syncCount: state.syncCount,
    syncPending: state.syncRequested || state.resyncRequested,
  };
}

/** The status the database already holds (the workflow records it there first). */
export const withStatus = (state: CarriedState, status: ConnectionStatus, reason?: string): CarriedState => ({ ...state, status, statusReason: reason });

/** The poll and the spacing count from a sync's start, the initial sync's included. */
export const withSyncStarted = (state: CarriedState, now: number): CarriedState => ({ ...state, lastSyncAttemptAt: now });

/**
 * A sync starts: it takes every request made so far (a change notified after this point wakes one
 * more sync) and the oldest notification's time. A wanted full re-read makes it a full one.
 */
export function startSync(state: CarriedState, now: number): { state: CarriedState; fullResync: boolean; notifiedAt: string | undefined } {
  return {
    state: { ...state, syncRequested: false, resyncRequested: false, lastSyncAttemptAt: now, oldestNotificationAt: undefined },
    fullResync: state.resyncRequested,
    notifiedAt: state.oldestNotificationAt,
  };
}

/** A sync that finished clears the last error: the connection is healthy again. */
export function withSyncRecorded(state: CarriedState, cursorUpdatedAt: string | undefined, now: number): CarriedState {
  return { ...state, syncCount: state.syncCount + 1, lastSyncAt: iso(now), cursorUpdatedAt: cursorUpdatedAt ?? state.cursorUpdatedAt, lastError: undefined };
}

/**
 * The initial sync read the whole window, and reconciliation counts from here. Runs begun before
 * `initial-sync-keeps-later-notices` count it as answering the syncs asked for until it ended
 * (`answersLaterNotices`); newer ones sync once more for a change notified while it ran, which it
 * may have read before the change (startSync took the requests made before it).
 */
export function withInitialSyncDone(state: CarriedState, cursorUpdatedAt: string | undefined, now: number, { answersLaterNotices }: { answersLaterNotices: boolean }): CarriedState {
  const answered = answersLaterNotices ? { syncRequested: false } : {};
  return withSyncRecorded({ ...state, initialSyncDone: true, reconcileFrom: iso(now), ...answered }, cursorUpdatedAt, now);
}

/** The next reconciliation counts from this one. */
export const withReconciled = (state: CarriedState, report: LastReconcile): CarriedState => ({ ...state, lastReconcile: report, reconcileFrom: report.at });

/** What the channel activity is asked: renew inside the margin, or what a provider asked for. */
export function channelRequest(state: CarriedState, schedule: Schedule, now: number) {
  return { renewIfExpiringBefore: iso(now + schedule.channelRenewMarginMs), forceRenew: state.channelRenewRequested, recreate: state.channelRecreateRequested };
}

/** An open channel answers the providers' requests for it and ends any retry wait. */
export function withChannelOpened(state: CarriedState, expiresAt: string | undefined): CarriedState {
  return { ...state, channelRenewRequested: false, channelRecreateRequested: false, channelExpiresAt: expiresAt, channelRetryAt: undefined };
}

/** A channel that could not be opened is tried again a minute later; the poll syncs meanwhile. */
export const withChannelFailed = (state: CarriedState, now: number): CarriedState => ({ ...state, channelRetryAt: now + FAILED_SYNC_RETRY_MS });

/** A sync failed past its retries: the status shows it and the next poll comes sooner. */
export const withSyncFailed = (state: CarriedState, message: string): CarriedState => ({ ...state, lastError: message });

/** The grant died: its channels were stopped (or are refused), so a new one is opened on resuming. */
export const withGrantRevoked = (state: CarriedState): CarriedState => ({ ...state, channelExpiresAt: undefined });

/**
 * Fresh tokens after NEEDS_REAUTH: a new channel (the old one was stopped) and a sync at once for
 * what changed meanwhile; the status goes back to where the connection was.
 */
export function resumeAfterReauthorization(state: CarriedState): { state: CarriedState; status: ConnectionStatus } {
  return {
    state: { ...state, reauthorized: false, channelExpiresAt: undefined, syncRequested: true },
    status: state.initialSyncDone ? 'ACTIVE' : 'CONNECTING',
  };
}
