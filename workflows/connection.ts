/**
 * One long-lived workflow per calendar connection (SPEC §3): initial sync, push channel, coalesced
 * syncs on notifications, a fallback poll, channel renewal, daily reconciliation, NEEDS_REAUTH when
 * the grant dies, and continue-as-new before history grows large. Orchestration only: every read and
 * write happens in an activity.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ConnectionActivities } from '../activities/connection';
import {
  changesNotifiedSignal,
  disconnectSignal,
  reauthorizedSignal,
  resyncUpdate,
  statusQuery,
  type CarriedState,
  type ChangeNotice,
  type ConnectionWorkflowInput,
} from './connection-messages';
import type { ConnectionStatus } from '../model/connection-status';
import { FAILURE_TYPES } from '../model/failure-types';
import { AccountIdAttribute, CalendarProviderAttribute, ConnectionStatusAttribute } from './search-attributes';

/** Continue-as-new after this many loop turns even if the server has not suggested it yet. */
const MAX_TURNS_PER_RUN = 200;
/**
 * With short runs: continue-as-new after this many turns, and once the connection is connected.
 * A connection evicted from the worker's cache (TEMPORAL_MAX_CACHED_WORKFLOWS) replays its run
 * when it next wakes, ~6 ms of worker CPU per turn replayed; a continue-as-new costs ~23 ms across
 * worker and Temporal. With most wake-ups missing the cache, 5 turns is about the cheapest.
 */
const SHORT_RUN_TURNS = 5;
/** After a sync failed past its retries, try again this soon (or at the next notification). */
const FAILED_SYNC_RETRY_MS = 60_000;
/** Runs started before SYNC_SPACING existed carry no value for it. */
const DEFAULT_SYNC_SPACING_MS = 1_000;
/**
 * An incremental sync in the workflow task takes at most this, well inside the task's 10 s timeout
 * (the SDK would otherwise start heartbeating the task at 8 s); a longer one goes on as an activity.
 */
const LOCAL_SYNC_TIMEOUT = '5s';
const { authRevoked, permissionDenied, invalidRequest, connectionGone } = FAILURE_TYPES;
/** Failures that retrying cannot fix; AuthRevoked moves the connection to NEEDS_REAUTH. */
const NON_RETRYABLE: string[] = [authRevoked, permissionDenied, invalidRequest, connectionGone];

export async function connectionWorkflow(input: ConnectionWorkflowInput): Promise<void> {
  const { connectionId, timings } = input;
  const activityOptions = {
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 6, nonRetryableErrorTypes: NON_RETRYABLE },
  };
  const quick = proxyActivities<ConnectionActivities>({ ...activityOptions, startToCloseTimeout: '1m' });
  const long = proxyActivities<ConnectionActivities>({
    ...activityOptions,
    startToCloseTimeout: '30m',
    heartbeatTimeout: timings.activityHeartbeatTimeoutMs,
  });
  /**
   * An incremental sync runs inside the workflow task that asked for it: no activity task goes
   * through the server and the history gains one marker instead of three events and a second
   * workflow task. One attempt, bounded well under what a workflow task may take with its
   * heartbeats; anything else (a failure to retry, a long backlog, an invalidated cursor's full
   * re-read) is handed to the ordinary activity and its retry policy of record (`syncOnce`).
   */
  const local = proxyLocalActivities<ConnectionActivities>({
    // Queueing for a local activity slot counts too: one bound for the whole attempt.
    scheduleToCloseTimeout: LOCAL_SYNC_TIMEOUT,
    retry: { maximumAttempts: 1, nonRetryableErrorTypes: NON_RETRYABLE },
  });

  const state: CarriedState = input.carried ?? {
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

  setHandler(changesNotifiedSignal, (notice: ChangeNotice) => {
    state.syncRequested = true;
    state.oldestNotificationAt ??= notice.notifiedAt;
    if (notice.kind === 'subscriptionRemoved') state.channelRecreateRequested = true;
    if (notice.kind === 'reauthorizationRequired') state.channelRenewRequested = true;
  });
  setHandler(reauthorizedSignal, () => {
    state.reauthorized = true;
  });
  setHandler(disconnectSignal, () => {
    state.disconnectRequested = true;
  });
  setHandler(
    resyncUpdate,
    () => {
      state.resyncRequested = true;
      return { accepted: true as const };
    },
    {
      validator: () => {
        if (state.status === 'NEEDS_REAUTH' || state.status === 'DISCONNECTED' || state.disconnectRequested) {
          throw new Error(`cannot resync a connection that is ${state.disconnectRequested ? 'disconnecting' : state.status}`);
        }
      },
    },
  );
  setHandler(statusQuery, () => ({
    connectionId,
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
  }));

  const statusAttributes = () => [
    { key: ConnectionStatusAttribute, value: state.status },
    { key: CalendarProviderAttribute, value: input.provider },
    { key: AccountIdAttribute, value: input.accountId },
  ];
  const publishStatus = () => upsertSearchAttributes(statusAttributes());
  const setStatus = async (status: ConnectionStatus, reason?: string) => {
    await quick.setConnectionStatus(connectionId, status, reason ?? null);
    state.status = status;
    state.statusReason = reason;
    publishStatus();
  };

  if (!input.carried) {
    const stored = await quick.loadConnection(connectionId);
    state.initialSyncDone = stored.initialSyncDone;
    state.channelExpiresAt = stored.channelExpiresAt;
    state.cursorUpdatedAt = stored.cursorUpdatedAt;
    state.lastSyncAt = stored.lastSyncAt;
    state.reconcileFrom = stored.lastReconcileAt ?? stored.initialSyncAt;
    state.status = stored.status === 'NEEDS_REAUTH' ? 'NEEDS_REAUTH' : stored.status === 'ACTIVE' ? 'ACTIVE' : 'CONNECTING';
    state.statusReason = stored.statusReason;
  }
  /**
   * What a run does is decided once, as it starts (runs begun by older code keep their behaviour
   * until they continue as new). One marker, `connection-run-v2`, stands for everything up to
   * short runs: a new run records it alone instead of one marker per change, and runs begun before
   * it check each of the patches it replaces, in their original order.
   */
  const currentRun = patched('connection-run-v2');
  // A run continued as new already carries its search attributes (continueAsNew below passes them).
  if (!(currentRun && input.carried)) publishStatus();

  const spacedSyncs = currentRun || patched('spaced-syncs');
  /** Runs begun before local syncs existed keep syncing by activity until they continue as new. */
  const localSyncs = currentRun || patched('local-incremental-syncs');
  /** Runs begun before short runs existed keep the old length until they continue as new. */
  const shortRuns = currentRun || patched('short-runs');
  const maxTurns = shortRuns ? SHORT_RUN_TURNS : MAX_TURNS_PER_RUN;
  /** Connecting (the initial sync and everything before it) is most of a first run's history. */
  let connectedInThisRun = false;
  const now = () => Date.now();
  const channelDue = () =>
    state.channelRenewRequested ||
    state.channelRecreateRequested ||
    ((!state.channelExpiresAt || Date.parse(state.channelExpiresAt) - timings.channelRenewMarginMs <= now()) &&
      (state.channelRetryAt === undefined || state.channelRetryAt <= now()));
  const reconcileAt = () => (state.reconcileFrom ? Date.parse(state.reconcileFrom) : now()) + timings.reconcileIntervalMs;
  const reconcileDue = () => state.initialSyncDone && reconcileAt() <= now();
  /** After a failed sync the next attempt comes sooner than the regular poll. */
  const pollPeriod = () => (state.lastError ? Math.min(FAILED_SYNC_RETRY_MS, timings.pollIntervalMs) : timings.pollIntervalMs);
  const pollDue = () => now() - state.lastSyncAttemptAt >= pollPeriod();
  const syncWanted = () => state.syncRequested || state.resyncRequested;
  /**
   * Spaced syncs: a sync starts at least `syncSpacingMs` after the previous one started. The first
   * change of a quiet connection syncs at once; changes during or right after a sync wait for the
   * spacing to pass and are gathered into one more sync. Runs begun before this existed keep their
   * old timing until they continue as new (`patched`).
   */
  const syncSpacingMs = spacedSyncs ? (timings.syncSpacingMs ?? DEFAULT_SYNC_SPACING_MS) : 0;
  const spacingEndsAt = () => state.lastSyncAttemptAt + syncSpacingMs;
  const syncDue = () => syncWanted() && now() >= spacingEndsAt();
  const msUntilNextDue = () => {
    const channelAt = state.channelRetryAt ?? (state.channelExpiresAt ? Date.parse(state.channelExpiresAt) - timings.channelRenewMarginMs : now());
    const pollAt = state.lastSyncAttemptAt + pollPeriod();
    const spacedSyncAt = syncSpacingMs > 0 && syncWanted() ? spacingEndsAt() : Infinity;
    return Math.max(1, Math.min(channelAt, state.initialSyncDone ? reconcileAt() : Infinity, pollAt, spacedSyncAt) - now());
  };

  /** One turn of the loop: whatever is due, in the order that keeps the calendar and CRM closest. */
  const runDueWork = async () => {
    if (!state.initialSyncDone) {
      // Push first: a change made during the initial sync then still wakes a sync right after it.
      await ensureChannelOrPoll();
      state.lastSyncAttemptAt = now();
      const outcome = await long.initialSync(connectionId);
      state.initialSyncDone = true;
      connectedInThisRun = true;
      state.reconcileFrom = new Date(now()).toISOString();
      state.syncRequested = false;
      recordSync(outcome.cursorUpdatedAt);
      await setStatus('ACTIVE');
      return;
    }
    if (channelDue()) await ensureChannelOrPoll();
    if (reconcileDue()) {
      const report = await long.reconcile(connectionId);
      state.lastReconcile = report;
      state.reconcileFrom = report.at;
      log.info('reconciled', { connectionId, ...report });
    }
    if (syncDue() || pollDue()) {
      const fullResync = state.resyncRequested;
      state.syncRequested = false;
      state.resyncRequested = false;
      state.lastSyncAttemptAt = now();
      const notifiedAt = state.oldestNotificationAt;
      state.oldestNotificationAt = undefined;
      const outcome = await syncOnce(fullResync, notifiedAt);
      recordSync(outcome.cursorUpdatedAt);
    }
  };

  /**
   * A full re-read always runs as an ordinary activity (long, heartbeating, resumable). An
   * incremental one runs as a local activity first; when that attempt fails for a reason a retry can
   * fix, or finds the cursor invalidated (it then reads nothing in full itself), the ordinary
   * activity carries the sync out with its own retries. Re-applying what the local attempt applied
   * writes nothing (syncs are idempotent).
   */
  const syncOnce = async (fullResync: boolean, notifiedAt: string | undefined) => {
    if (fullResync || !localSyncs) return long.syncChanges(connectionId, { fullResync, notifiedAt });
    let outcome: Awaited<ReturnType<ConnectionActivities['syncChanges']>>;
    try {
      outcome = await local.syncChanges(connectionId, { fullResync: false, notifiedAt, fullReadInline: false });
    } catch (error) {
      const failure = failureOf(error);
      if (failure && NON_RETRYABLE.includes(failure.type ?? '')) throw error;
      log.info('local sync failed; syncing by activity', { connectionId, error: failure?.message ?? String(error) });
      return long.syncChanges(connectionId, { fullResync: false, notifiedAt });
    }
    return outcome.fullReadNeeded ? long.syncChanges(connectionId, { fullResync: true, notifiedAt }) : outcome;
  };

  const ensureChannel = async () => {
    const channel = await quick.ensureChannel(connectionId, {
      renewIfExpiringBefore: new Date(now() + timings.channelRenewMarginMs).toISOString(),
      forceRenew: state.channelRenewRequested,
      recreate: state.channelRecreateRequested,
    });
    state.channelRenewRequested = false;
    state.channelRecreateRequested = false;
    state.channelExpiresAt = channel.expiresAt;
  };

  /**
   * A channel that cannot be opened (e.g. the webhook URL is unreachable) must not stop the sync: the
   * poll carries on, the error is recorded, and the channel is tried again later.
   */
  const ensureChannelOrPoll = async () => {
    try {
      await ensureChannel();
      state.channelRetryAt = undefined;
    } catch (error) {
      const failure = failureOf(error);
      if (failure?.type === authRevoked || failure?.type === connectionGone) throw error;
      state.channelRetryAt = now() + FAILED_SYNC_RETRY_MS;
      await bestEffort('recording the channel error', () => quick.recordSyncError(connectionId, `push channel: ${failure?.message ?? String(error)}`));
    }
  };

  /**
   * Recording an error or stopping channels must not end the workflow when the database or provider
   * is down for longer than the activity's retries: the loop carries on and tries again later.
   */
  const bestEffort = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      log.warn(`${what} failed; carrying on`, { connectionId, error: failureOf(error)?.message ?? String(error) });
    }
  };

  const recordSync = (cursorUpdatedAt: string | undefined) => {
    state.syncCount += 1;
    state.lastSyncAt = new Date(now()).toISOString();
    state.cursorUpdatedAt = cursorUpdatedAt ?? state.cursorUpdatedAt;
    state.lastError = undefined;
  };

  for (let turn = 0; ; turn++) {
    if (state.disconnectRequested) {
      // Channels a dead grant keeps alive stay refused by the webhooks until they expire.
      await bestEffort('stopping the channels', () => quick.stopChannels(connectionId));
      await setStatus('DISCONNECTED', 'disconnected by the user');
      await condition(allHandlersFinished);
      return;
    }

    if (state.status === 'NEEDS_REAUTH') {
      await condition(() => state.reauthorized || state.disconnectRequested);
      if (state.disconnectRequested) continue;
      state.reauthorized = false;
      state.channelExpiresAt = undefined; // stopped when the grant died
      state.syncRequested = true;
      await setStatus(state.initialSyncDone ? 'ACTIVE' : 'CONNECTING');
    }

    try {
      await runDueWork();
    } catch (error) {
      const failure = failureOf(error);
      if (failure?.type === authRevoked) {
        // Refused from now on; stopped at the provider now if it still takes the call, else after reconnecting.
        await bestEffort('stopping the channels', () => quick.stopChannels(connectionId));
        state.channelExpiresAt = undefined;
        await setStatus('NEEDS_REAUTH', `The user must reconnect: the calendar provider refused the stored authorization (${failure.message}).`);
        continue;
      }
      if (failure?.type === connectionGone) return; // the connection row was deleted
      state.lastError = failure?.message ?? String(error);
      const lastError = state.lastError;
      await bestEffort('recording the sync error', () => quick.recordSyncError(connectionId, lastError));
    }

    if (workflowInfo().continueAsNewSuggested || turn >= maxTurns || (shortRuns && connectedInThisRun)) {
      await condition(allHandlersFinished);
      if (currentRun) await makeContinueAsNewFunc<typeof connectionWorkflow>({ typedSearchAttributes: statusAttributes() })({ ...input, carried: state });
      else await continueAsNew<typeof connectionWorkflow>({ ...input, carried: state });
    }
    const wakeAt = now() + msUntilNextDue();
    // A sync asked for during this wait wakes the loop if its spacing ends before the planned wake-up.
    const syncBeforeWake = () => syncWanted() && spacingEndsAt() < wakeAt;
    await condition(() => syncBeforeWake() || state.disconnectRequested || state.channelRenewRequested || state.channelRecreateRequested, wakeAt - now());
  }
}

function failureOf(error: unknown): ApplicationFailure | undefined {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return error.cause;
  if (error instanceof ApplicationFailure) return error;
  return undefined;
}
