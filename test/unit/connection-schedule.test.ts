/**
 * The connection workflow's timing rules and state transitions (workflows/connection-schedule.ts,
 * workflows/connection-state.ts) as a user or operator would see them: when a change is synced,
 * when the poll and the channel retry come, when reconciliation runs, how long the loop sleeps and
 * when a run continues as new. Pure functions: time is a number passed in, no server, no clock.
 */
import type { CarriedState, ConnectionTimings } from '../../workflows/connection-messages';
import {
  DEFAULT_SYNC_SPACING_MS,
  FAILED_SYNC_RETRY_MS,
  MAX_TURNS_PER_RUN,
  SHORT_RUN_TURNS,
  channelDue,
  keepsWakeTimer,
  msUntilNextDue,
  pollDue,
  pollPeriod,
  reconcileAt,
  reconcileDue,
  scheduleOf,
  shouldContinueAsNew,
  syncBeforeWake,
  syncDue,
  syncWanted,
  wakesEarly,
} from '../../workflows/connection-schedule';
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
  withInitialSyncDone,
  withReconciled,
  withResyncRequested,
  withStoredConnection,
  withSyncFailed,
  withSyncRecorded,
  withSyncStarted,
} from '../../workflows/connection-state';

const T0 = Date.parse('2026-12-01T09:00:00.000Z');
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();

const timings: ConnectionTimings = {
  pollIntervalMs: HOUR,
  reconcileIntervalMs: 24 * HOUR,
  channelRenewMarginMs: 5 * MINUTE,
  activityHeartbeatTimeoutMs: 10 * SECOND,
  syncSpacingMs: 2 * SECOND,
};
const schedule = scheduleOf(timings, true);

/** A connected connection: initial sync done at T0, its channel good for a day, nothing asked for. */
function connected(overrides: Partial<CarriedState> = {}): CarriedState {
  return {
    ...withInitialSyncDone(startSync(initialState(), T0).state, iso(T0), T0, { answersLaterNotices: false }),
    status: 'ACTIVE',
    channelExpiresAt: iso(T0 + 24 * HOUR),
    ...overrides,
  };
}
const changed = (state: CarriedState, notifiedAt?: number) => withChangeNotice(state, { kind: 'changed', notifiedAt: notifiedAt === undefined ? undefined : iso(notifiedAt) });

describe('spaced syncs', () => {
  it('syncs the first change of a quiet connection at once', () => {
    const now = T0 + 10 * MINUTE;
    expect(syncDue(changed(connected(), now), schedule, now)).toBe(true);
  });

  it('holds changes made during or right after a sync until the spacing has passed, then syncs them together', () => {
    const syncStartedAt = T0 + 10 * MINUTE;
    let state = startSync(changed(connected(), syncStartedAt), syncStartedAt).state;
    // Three changes while that sync runs and just after it.
    for (const at of [300, 900, 1_500]) state = changed(state, syncStartedAt + at);

    expect(syncDue(state, schedule, syncStartedAt + 1_500)).toBe(false);
    expect(msUntilNextDue(state, schedule, syncStartedAt + 1_500)).toBe(500); // wakes when the spacing ends, not at the poll
    expect(syncDue(state, schedule, syncStartedAt + 2 * SECOND)).toBe(true);

    const next = startSync(state, syncStartedAt + 2 * SECOND);
    expect(next.notifiedAt).toBe(iso(syncStartedAt + 300)); // the latency is measured from the oldest of them
    expect(syncDue(next.state, schedule, syncStartedAt + 10 * SECOND)).toBe(false); // one sync answered all three
  });

  it('starts a wanted sync at once in runs begun before spacing existed', () => {
    const unspaced = scheduleOf(timings, false);
    const state = changed(startSync(connected(), T0 + MINUTE).state);
    expect(syncDue(state, unspaced, T0 + MINUTE)).toBe(true);
  });

  it('spaces syncs by a second when the run was started without a spacing setting', () => {
    const legacy = scheduleOf({ ...timings, syncSpacingMs: undefined }, true);
    expect(legacy.syncSpacingMs).toBe(DEFAULT_SYNC_SPACING_MS);
    const state = changed(startSync(connected(), T0 + MINUTE).state);
    expect(syncDue(state, legacy, T0 + MINUTE + DEFAULT_SYNC_SPACING_MS - 1)).toBe(false);
    expect(syncDue(state, legacy, T0 + MINUTE + DEFAULT_SYNC_SPACING_MS)).toBe(true);
  });
});

describe('the fallback poll', () => {
  it('syncs a connection whose notifications were lost once a poll period has passed since the last attempt', () => {
    const state = connected();
    expect(pollDue(state, schedule, T0 + HOUR - 1)).toBe(false);
    expect(pollDue(state, schedule, T0 + HOUR)).toBe(true);
  });

  it('comes a minute after a failed sync instead of an hour, and back to the hour once a sync succeeds', () => {
    const attemptAt = T0 + 2 * HOUR;
    const failed = withSyncFailed(startSync(connected(), attemptAt).state, 'provider unavailable');
    expect(pollDue(failed, schedule, attemptAt + FAILED_SYNC_RETRY_MS)).toBe(true);
    expect(msUntilNextDue(failed, schedule, attemptAt)).toBe(FAILED_SYNC_RETRY_MS);

    const recovered = withSyncRecorded(startSync(failed, attemptAt + MINUTE).state, undefined, attemptAt + MINUTE);
    expect(pollPeriod(recovered, schedule)).toBe(HOUR);
    expect(pollDue(recovered, schedule, attemptAt + 2 * MINUTE)).toBe(false);
  });

  it('never waits longer after a failure than the configured poll', () => {
    const fastPoll = scheduleOf({ ...timings, pollIntervalMs: 10 * SECOND }, true);
    expect(pollPeriod(withSyncFailed(connected(), 'boom'), fastPoll)).toBe(10 * SECOND);
  });
});

describe('the push channel', () => {
  it('opens a channel the connection does not have, and renews one inside its renewal margin', () => {
    const expiresAt = T0 + HOUR;
    expect(channelDue(connected({ channelExpiresAt: undefined }), schedule, T0)).toBe(true);
    expect(channelDue(connected({ channelExpiresAt: iso(expiresAt) }), schedule, expiresAt - 5 * MINUTE - 1)).toBe(false);
    expect(channelDue(connected({ channelExpiresAt: iso(expiresAt) }), schedule, expiresAt - 5 * MINUTE)).toBe(true);
    expect(channelRequest(connected(), schedule, T0).renewIfExpiringBefore).toBe(iso(T0 + 5 * MINUTE));
  });

  it('tries a channel that failed to open again a minute later, waking for it, while the poll carries on', () => {
    const failedAt = T0 + 3 * HOUR;
    const state = withChannelFailed(connected({ channelExpiresAt: undefined, lastSyncAttemptAt: failedAt }), failedAt);
    expect(channelDue(state, schedule, failedAt + FAILED_SYNC_RETRY_MS - 1)).toBe(false);
    expect(channelDue(state, schedule, failedAt + FAILED_SYNC_RETRY_MS)).toBe(true);
    expect(msUntilNextDue(state, schedule, failedAt)).toBe(FAILED_SYNC_RETRY_MS);

    const opened = withChannelOpened(state, iso(failedAt + 24 * HOUR));
    expect(channelDue(opened, schedule, failedAt + 2 * MINUTE)).toBe(false);
  });

  it('answers a provider asking for the channel at once, retry wait or not, and wakes the sleeping loop for it', () => {
    const waiting = withChannelFailed(connected(), T0);
    const removed = withChangeNotice(waiting, { kind: 'subscriptionRemoved' });
    expect(channelDue(removed, schedule, T0 + 1)).toBe(true);
    expect(channelRequest(removed, schedule, T0 + 1)).toMatchObject({ recreate: true, forceRenew: false });
    expect(wakesEarly(removed, schedule, T0 + HOUR)).toBe(true);

    const renew = withChangeNotice(connected(), { kind: 'reauthorizationRequired' });
    expect(channelRequest(renew, schedule, T0)).toMatchObject({ recreate: false, forceRenew: true });
    const answered = withChannelOpened(renew, iso(T0 + 24 * HOUR));
    expect(channelDue(answered, schedule, T0)).toBe(false);
  });
});

describe('reconciliation', () => {
  it('is never due before the initial sync, however long the connection has waited', () => {
    const connecting = { ...initialState(), reconcileFrom: iso(T0) };
    expect(reconcileDue(connecting, schedule, T0 + 30 * 24 * HOUR)).toBe(false);
    // Nor does the sleeping loop wake for it.
    const waiting = { ...connecting, channelExpiresAt: iso(T0 + 48 * HOUR), lastSyncAttemptAt: T0 + 47 * HOUR };
    expect(msUntilNextDue(waiting, scheduleOf({ ...timings, pollIntervalMs: 10 * HOUR }, true), T0 + 47 * HOUR)).toBe(HOUR - 5 * MINUTE);
  });

  it('runs an interval after the initial sync, then an interval after each reconciliation', () => {
    const state = connected();
    expect(reconcileAt(state, schedule, T0)).toBe(T0 + 24 * HOUR);
    expect(reconcileDue(state, schedule, T0 + 24 * HOUR - 1)).toBe(false);
    expect(reconcileDue(state, schedule, T0 + 24 * HOUR)).toBe(true);

    const reconciled = withReconciled(state, { at: iso(T0 + 24 * HOUR), checked: 12, repaired: 1 });
    expect(reconcileDue(reconciled, schedule, T0 + 25 * HOUR)).toBe(false);
    expect(reconcileAt(reconciled, schedule, T0 + 25 * HOUR)).toBe(T0 + 48 * HOUR);
    expect(statusView(reconciled, input()).lastReconcile).toEqual({ at: iso(T0 + 24 * HOUR), checked: 12, repaired: 1 });
  });
});

describe('the next wake-up', () => {
  it('is the earliest of the channel renewal, the reconciliation and the poll', () => {
    const pollFirst = connected({ lastSyncAttemptAt: T0 });
    expect(msUntilNextDue(pollFirst, schedule, T0 + 10 * MINUTE)).toBe(50 * MINUTE);

    const channelFirst = connected({ channelExpiresAt: iso(T0 + 30 * MINUTE) });
    expect(msUntilNextDue(channelFirst, schedule, T0 + 10 * MINUTE)).toBe(15 * MINUTE);

    const reconcileFirst = connected({ reconcileFrom: iso(T0 - 24 * HOUR + 20 * MINUTE) });
    expect(msUntilNextDue(reconcileFirst, schedule, T0 + 10 * MINUTE)).toBe(10 * MINUTE);
  });

  it('is at least a millisecond when work is overdue, so the loop never spins', () => {
    expect(msUntilNextDue(connected(), schedule, T0 + 5 * HOUR)).toBe(1);
  });

  it('is cut short by a sync asked for during the wait only when its spacing ends before the planned wake-up', () => {
    const syncStartedAt = T0 + HOUR;
    const state = startSync(connected(), syncStartedAt).state;
    const wakeAt = syncStartedAt + msUntilNextDue(state, schedule, syncStartedAt);
    expect(wakesEarly(state, schedule, wakeAt)).toBe(false);
    expect(syncBeforeWake(changed(state), schedule, wakeAt)).toBe(true);
    expect(wakesEarly(changed(state), schedule, wakeAt)).toBe(true);
    // A wake-up planned before the spacing ends comes first anyway: the change waits for it.
    expect(syncBeforeWake(changed(state), schedule, syncStartedAt + SECOND)).toBe(false);
  });

  it('is cut short by a disconnect', () => {
    expect(wakesEarly(withDisconnectRequested(connected()), schedule, T0 + HOUR)).toBe(true);
  });

  it("keeps the timer an earlier turn armed across a change's sync, and arms a new one only to wake sooner", () => {
    const beforeChange = connected({ lastSyncAttemptAt: T0 });
    const armedAt = T0 + msUntilNextDue(beforeChange, schedule, T0);
    // A change synced ten minutes later moves the poll ten minutes on: the armed timer fires first.
    const synced = withSyncRecorded(startSync(changed(beforeChange), T0 + 10 * MINUTE).state, iso(T0 + 10 * MINUTE), T0 + 10 * MINUTE);
    const wakeAt = T0 + 10 * MINUTE + msUntilNextDue(synced, schedule, T0 + 10 * MINUTE);
    expect(wakeAt).toBeGreaterThan(armedAt);
    expect(keepsWakeTimer(armedAt, wakeAt)).toBe(true);
    // A channel that must be renewed before the armed timer fires needs a timer of its own.
    expect(keepsWakeTimer(armedAt, armedAt - MINUTE)).toBe(false);
    expect(keepsWakeTimer(undefined, wakeAt)).toBe(false);
  });
});

describe('continue-as-new', () => {
  const run = { turn: 0, shortRuns: true, connectedInThisRun: false, continueAsNewSuggested: false };

  it('hands over as soon as a short run has connected, so later wake-ups never replay the connecting', () => {
    expect(shouldContinueAsNew(run)).toBe(false);
    expect(shouldContinueAsNew({ ...run, connectedInThisRun: true })).toBe(true);
  });

  it('keeps short runs to a few turns and older runs to their old length', () => {
    expect(shouldContinueAsNew({ ...run, turn: SHORT_RUN_TURNS - 1 })).toBe(false);
    expect(shouldContinueAsNew({ ...run, turn: SHORT_RUN_TURNS })).toBe(true);
    const older = { ...run, shortRuns: false, connectedInThisRun: true };
    expect(shouldContinueAsNew({ ...older, turn: SHORT_RUN_TURNS })).toBe(false);
    expect(shouldContinueAsNew({ ...older, turn: MAX_TURNS_PER_RUN })).toBe(true);
  });

  it('always follows the server when it suggests continuing', () => {
    expect(shouldContinueAsNew({ ...run, shortRuns: false, continueAsNewSuggested: true })).toBe(true);
  });
});

function input() {
  return { connectionId: 'c1', accountId: 'a1', userId: 'u1', provider: 'GOOGLE' as const, timings };
}

describe('signals and state transitions', () => {
  it('turns a burst of notifications into one pending sync that keeps the oldest notification time', () => {
    let state = connected();
    for (const at of [T0 + SECOND, T0 + 2 * SECOND, T0 + 3 * SECOND]) state = changed(state, at);
    expect(statusView(state, input()).syncPending).toBe(true);
    const { state: syncing, notifiedAt, fullResync } = startSync(state, T0 + 4 * SECOND);
    expect(notifiedAt).toBe(iso(T0 + SECOND));
    expect(fullResync).toBe(false);
    expect(statusView(syncing, input()).syncPending).toBe(false);
    // A change after the sync started asks for one more: its listing may have missed it.
    expect(statusView(changed(syncing), input()).syncPending).toBe(true);
  });

  it('makes the next sync a full re-read after an operator asks for a resync', () => {
    const { fullResync, state } = startSync(withResyncRequested(connected()), T0 + MINUTE);
    expect(fullResync).toBe(true);
    expect(startSync(state, T0 + 2 * MINUTE).fullResync).toBe(false);
  });

  it('refuses a resync of a connection that needs re-auth, is disconnected or is disconnecting', () => {
    expect(resyncRefusal(connected())).toBeUndefined();
    expect(resyncRefusal(connected({ status: 'NEEDS_REAUTH' }))).toBe('cannot resync a connection that is NEEDS_REAUTH');
    expect(resyncRefusal(connected({ status: 'DISCONNECTED' }))).toBe('cannot resync a connection that is DISCONNECTED');
    expect(resyncRefusal(withDisconnectRequested(connected()))).toBe('cannot resync a connection that is disconnecting');
  });

  it('resumes from the stored connection: no second initial sync, reconciliation counted from the last one', () => {
    const stored = withStoredConnection(initialState(), {
      status: 'ACTIVE',
      initialSyncDone: true,
      initialSyncAt: iso(T0 - 10 * 24 * HOUR),
      lastReconcileAt: iso(T0 - 2 * HOUR),
      channelExpiresAt: iso(T0 + HOUR),
    });
    expect(stored).toMatchObject({ status: 'ACTIVE', initialSyncDone: true });
    expect(reconcileAt(stored, schedule, T0)).toBe(T0 + 22 * HOUR);
    expect(withStoredConnection(initialState(), { status: 'ACTIVE', initialSyncDone: true, initialSyncAt: iso(T0) }).reconcileFrom).toBe(iso(T0));
  });

  it('keeps NEEDS_REAUTH from the stored connection and starts a disconnected one over as CONNECTING', () => {
    expect(withStoredConnection(initialState(), { status: 'NEEDS_REAUTH', statusReason: 'grant revoked', initialSyncDone: true })).toMatchObject({ status: 'NEEDS_REAUTH', statusReason: 'grant revoked' });
    expect(withStoredConnection(initialState(), { status: 'DISCONNECTED', initialSyncDone: false }).status).toBe('CONNECTING');
  });

  it('after reauthorization opens a new channel and syncs at once, back to ACTIVE (or CONNECTING before the initial sync)', () => {
    const now = T0 + 5 * HOUR;
    const revoked = connected({ status: 'NEEDS_REAUTH', reauthorized: true, lastSyncAttemptAt: now - MINUTE });
    const resumed = resumeAfterReauthorization(revoked);
    expect(resumed.status).toBe('ACTIVE');
    expect(resumed.state.reauthorized).toBe(false);
    expect(channelDue(resumed.state, schedule, now)).toBe(true);
    expect(syncDue(resumed.state, schedule, now)).toBe(true);

    expect(resumeAfterReauthorization({ ...initialState(), status: 'NEEDS_REAUTH', reauthorized: true }).status).toBe('CONNECTING');
  });

  it('syncs once more for a change notified during the initial sync, not for one notified before it', () => {
    const before = changed(initialState(), T0 - SECOND);
    const started = startSync(before, T0).state;
    expect(syncWanted(withInitialSyncDone(started, iso(T0 + 2 * SECOND), T0 + 3 * SECOND, { answersLaterNotices: false }))).toBe(false);
    const during = changed(started, T0 + SECOND);
    const done = withInitialSyncDone(during, iso(T0 + 2 * SECOND), T0 + 3 * SECOND, { answersLaterNotices: false });
    // At once, or as soon as the spacing since the initial sync's start allows: not at the next poll.
    expect(syncDue(done, schedule, T0 + schedule.syncSpacingMs)).toBe(true);
    expect(statusView(done, input())).toMatchObject({ syncCount: 1, lastSyncAt: iso(T0 + 3 * SECOND), cursorUpdatedAt: iso(T0 + 2 * SECOND), syncPending: true });
  });

  it('in runs begun before that, counts a sync asked for during the initial sync as answered by it', () => {
    const waiting = changed(withSyncStarted(initialState(), T0), T0 + SECOND);
    const done = withInitialSyncDone(waiting, iso(T0 + 2 * SECOND), T0 + 3 * SECOND, { answersLaterNotices: true });
    expect(syncDue(done, schedule, T0 + 10 * SECOND)).toBe(false);
    expect(statusView(done, input())).toMatchObject({ syncCount: 1, syncPending: false });
  });

  it('shows a failed sync until the next one succeeds, keeping the cursor time when a sync does not move it', () => {
    const failed = withSyncFailed(connected({ cursorUpdatedAt: iso(T0) }), 'Google answered 503');
    expect(statusView(failed, input()).lastError).toBe('Google answered 503');
    const recovered = withSyncRecorded(failed, undefined, T0 + HOUR);
    expect(statusView(recovered, input())).toMatchObject({ lastError: undefined, cursorUpdatedAt: iso(T0), lastSyncAt: iso(T0 + HOUR) });
  });

  it('leaves the state it was given alone (a handler and the loop each assign what they get back)', () => {
    const before = connected();
    const copy = structuredClone(before);
    changed(before, T0);
    startSync(before, T0);
    withChannelFailed(before, T0);
    expect(before).toEqual(copy);
  });
});
