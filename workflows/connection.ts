/**
 * One long-lived workflow per calendar connection (SPEC §3): initial sync, push channel, coalesced
 * syncs on notifications, a fallback poll, channel renewal, daily reconciliation, NEEDS_REAUTH when
 * the grant dies, and continue-as-new before history grows large. Orchestration only: every read and
 * write happens in an activity, every change of state is a function of connection-state.ts and every
 * "is it due, how long to sleep" one of connection-schedule.ts (pure, unit-tested). What is left
 * here is what to await in which order: handlers are registered before the first await, and each
 * await is followed by assigning the state that the transition makes of the state as it is then.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
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
  type ConnectionWorkflowInput,
} from './connection-messages';
import type { ConnectionStatus } from '../model/connection-status';
import { FAILURE_TYPES } from '../model/failure-types';
import { channelDue, keepsWakeTimer, msUntilNextDue, pollDue, reconcileDue, scheduleOf, shouldContinueAsNew, syncDue, wakesEarly } from './connection-schedule';
import {
  channelRequest,
  initialState,
  resumeAfterReauthorization,
  resyncRefusal,
  startSync,
  statusView,
  withChangeNotice,
  withChannelFailed,
  withChannelOpened,
  withDisconnectRequested,
  withGrantRevoked,
  withInitialSyncDone,
  withReauthorized,
  withReconciled,
  withResyncRequested,
  withStatus,
  withStoredConnection,
  withSyncFailed,
  withSyncRecorded,
  withSyncStarted,
} from './connection-state';
import { AccountIdAttribute, CalendarProviderAttribute, ConnectionStatusAttribute } from './search-attributes';

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

  let state: CarriedState = input.carried ?? initialState();

  setHandler(changesNotifiedSignal, (notice) => {
    state = withChangeNotice(state, notice);
  });
  setHandler(reauthorizedSignal, () => {
    state = withReauthorized(state);
  });
  setHandler(disconnectSignal, () => {
    state = withDisconnectRequested(state);
  });
  setHandler(
    resyncUpdate,
    () => {
      state = withResyncRequested(state);
      return { accepted: true as const };
    },
    {
      validator: () => {
        const refusal = resyncRefusal(state);
        if (refusal) throw new Error(refusal);
      },
    },
  );
  setHandler(statusQuery, () => statusView(state, input));

  const statusAttributes = () => [
    { key: ConnectionStatusAttribute, value: state.status },
    { key: CalendarProviderAttribute, value: input.provider },
    { key: AccountIdAttribute, value: input.accountId },
  ];
  const publishStatus = () => upsertSearchAttributes(statusAttributes());
  const setStatus = async (status: ConnectionStatus, reason?: string) => {
    await quick.setConnectionStatus(connectionId, status, reason ?? null);
    state = withStatus(state, status, reason);
    publishStatus();
  };

  if (!input.carried) {
    const stored = await quick.loadConnection(connectionId);
    state = withStoredConnection(state, stored);
  }
  /**
   * What a run does is decided once, as it starts (runs begun by older code keep their behaviour
   * until they continue as new). One marker stands for everything up to the latest change: each
   * patch costs a run a marker and a search-attribute upsert, and runs are short. A new run records
   * `connection-run-v3` alone (v2 and the lasting wake timer); runs begun before it check
   * `connection-run-v2` (everything up to short runs), and runs begun before that each of the
   * patches v2 replaces, in their original order.
   */
  const runV3 = patched('connection-run-v3');
  const currentRun = runV3 || patched('connection-run-v2');
  // A run continued as new already carries its search attributes (continueAsNew below passes them).
  if (!(currentRun && input.carried)) publishStatus();

  /** Runs begun before spaced syncs keep starting a wanted sync at once (connection-schedule.ts). */
  const spacedSyncs = currentRun || patched('spaced-syncs');
  /** Runs begun before local syncs existed keep syncing by activity until they continue as new. */
  const localSyncs = currentRun || patched('local-incremental-syncs');
  /** Runs begun before short runs existed keep the old length until they continue as new. */
  const shortRuns = currentRun || patched('short-runs');
  /** Runs begun before v3 cancel and start their wait's timer on every change (connection-schedule.ts). */
  const lastingWakeTimer = runV3;
  const schedule = scheduleOf(timings, spacedSyncs);
  /** Connecting (the initial sync and everything before it) is most of a first run's history. */
  let connectedInThisRun = false;
  const now = () => Date.now();

  /** One turn of the loop: whatever is due, in the order that keeps the calendar and CRM closest. */
  const runDueWork = async () => {
    if (!state.initialSyncDone) {
      /**
       * A change notified while the initial sync pages through the calendar may come after its page
       * was read: runs begun before this patch dropped it until the next poll (15 minutes by
       * default); now the initial sync takes only the requests made before it starts, like any sync.
       */
      const keepsLaterNotices = patched('initial-sync-keeps-later-notices');
      // Push first: a change made during the initial sync then still wakes a sync right after it.
      await ensureChannelOrPoll();
      state = keepsLaterNotices ? startSync(state, now()).state : withSyncStarted(state, now());
      const outcome = await long.initialSync(connectionId);
      state = withInitialSyncDone(state, outcome.cursorUpdatedAt, now(), { answersLaterNotices: !keepsLaterNotices });
      connectedInThisRun = true;
      await setStatus('ACTIVE');
      return;
    }
    if (channelDue(state, schedule, now())) await ensureChannelOrPoll();
    if (reconcileDue(state, schedule, now())) {
      const report = await long.reconcile(connectionId);
      state = withReconciled(state, report);
      log.info('reconciled', { connectionId, ...report });
    }
    if (syncDue(state, schedule, now()) || pollDue(state, schedule, now())) {
      const started = startSync(state, now());
      state = started.state;
      const outcome = await syncOnce(started.fullResync, started.notifiedAt);
      state = withSyncRecorded(state, outcome.cursorUpdatedAt, now());
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

  /**
   * A channel that cannot be opened (e.g. the webhook URL is unreachable) must not stop the sync: the
   * poll carries on, the error is recorded, and the channel is tried again later.
   */
  const ensureChannelOrPoll = async () => {
    try {
      const channel = await quick.ensureChannel(connectionId, channelRequest(state, schedule, now()));
      state = withChannelOpened(state, channel.expiresAt);
    } catch (error) {
      const failure = failureOf(error);
      if (failure?.type === authRevoked || failure?.type === connectionGone) throw error;
      state = withChannelFailed(state, now());
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

  /** The timer the loop's wait ends on, armed in this turn or kept from an earlier one. */
  let wakeTimer: { at: number; fired: boolean; scope: CancellationScope } | undefined;
  const armWakeTimer = (wakeAt: number) => {
    if (keepsWakeTimer(wakeTimer && !wakeTimer.fired ? wakeTimer.at : undefined, wakeAt)) return wakeTimer!;
    if (wakeTimer && !wakeTimer.fired) wakeTimer.scope.cancel();
    const timer = { at: wakeAt, fired: false, scope: new CancellationScope() };
    timer.scope.run(() => sleep(wakeAt - now())).then(
      () => void (timer.fired = true),
      // Cancelled: replaced by an earlier timer, nothing waits on it any more.
      (error: unknown) => {
        if (!isCancellation(error)) throw error;
      },
    );
    return (wakeTimer = timer);
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
      const resumed = resumeAfterReauthorization(state);
      state = resumed.state;
      await setStatus(resumed.status);
    }

    try {
      await runDueWork();
    } catch (error) {
      const failure = failureOf(error);
      if (failure?.type === authRevoked) {
        // Refused from now on; stopped at the provider now if it still takes the call, else after reconnecting.
        await bestEffort('stopping the channels', () => quick.stopChannels(connectionId));
        state = withGrantRevoked(state);
        await setStatus('NEEDS_REAUTH', `The user must reconnect: the calendar provider refused the stored authorization (${failure.message}).`);
        continue;
      }
      if (failure?.type === connectionGone) return; // the connection row was deleted
      const lastError = failure?.message ?? String(error);
      state = withSyncFailed(state, lastError);
      await bestEffort('recording the sync error', () => quick.recordSyncError(connectionId, lastError));
    }

    if (shouldContinueAsNew({ turn, shortRuns, connectedInThisRun, continueAsNewSuggested: workflowInfo().continueAsNewSuggested })) {
      await condition(allHandlersFinished);
      if (currentRun) await makeContinueAsNewFunc<typeof connectionWorkflow>({ typedSearchAttributes: statusAttributes() })({ ...input, carried: state });
      else await continueAsNew<typeof connectionWorkflow>({ ...input, carried: state });
    }
    const wakeAt = now() + msUntilNextDue(state, schedule, now());
    // A sync asked for during this wait wakes the loop if its spacing ends before the planned wake-up.
    if (lastingWakeTimer) {
      const timer = armWakeTimer(wakeAt);
      await condition(() => timer.fired || wakesEarly(state, schedule, wakeAt));
    } else {
      await condition(() => wakesEarly(state, schedule, wakeAt), wakeAt - now());
    }
  }
}

function failureOf(error: unknown): ApplicationFailure | undefined {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return error.cause;
  if (error instanceof ApplicationFailure) return error;
  return undefined;
}
