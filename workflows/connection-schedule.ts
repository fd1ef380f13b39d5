/**
 * When the connection workflow (connection.ts) does what: which work is due, when it next wakes, and
 * when a run hands over to the next by continue-as-new. Pure functions of the carried state and the
 * time, which the caller passes in (the workflow's clock, a test's fixed number): no Temporal import,
 * no clock of its own, so every rule here is unit-tested without a server and the workflow only
 * awaits what these say.
 *
 * Changing what a function here answers changes the commands a running workflow issues: such a
 * change goes behind `patched()` in connection.ts, as the spacing of syncs does (README "Changing
 * workflow code").
 */
import type { CarriedState, ConnectionTimings } from './connection-messages';

/** Continue-as-new after this many loop turns even if the server has not suggested it yet. */
export const MAX_TURNS_PER_RUN = 200;
/**
 * With short runs: continue-as-new after this many turns, and once the connection is connected.
 * A connection evicted from the worker's cache (TEMPORAL_MAX_CACHED_WORKFLOWS) replays its run
 * when it next wakes, ~6 ms of worker CPU per turn replayed; a continue-as-new costs ~23 ms across
 * worker and Temporal. With most wake-ups missing the cache, 5 turns is about the cheapest.
 */
export const SHORT_RUN_TURNS = 5;
/** After a sync failed past its retries, try again this soon (or at the next notification). */
export const FAILED_SYNC_RETRY_MS = 60_000;
/** Runs started before SYNC_SPACING existed carry no value for it. */
export const DEFAULT_SYNC_SPACING_MS = 1_000;

/** The durations the schedule counts with, the spacing as this run applies it. */
export interface Schedule {
  pollIntervalMs: number;
  reconcileIntervalMs: number;
  channelRenewMarginMs: number;
  /** Least time between the starts of two syncs; 0 in runs begun before spaced syncs. */
  syncSpacingMs: number;
}

/**
 * Spaced syncs: a sync starts at least `syncSpacingMs` after the previous one started. Runs begun
 * before this existed keep their old timing (no spacing) until they continue as new, so the run says
 * whether it applies (`patched('spaced-syncs')`).
 */
export function scheduleOf(timings: ConnectionTimings, spacedSyncs: boolean): Schedule {
  return {
    pollIntervalMs: timings.pollIntervalMs,
    reconcileIntervalMs: timings.reconcileIntervalMs,
    channelRenewMarginMs: timings.channelRenewMarginMs,
    syncSpacingMs: spacedSyncs ? (timings.syncSpacingMs ?? DEFAULT_SYNC_SPACING_MS) : 0,
  };
}

/** When the push channel is next due: a retry after a failed open, else its renewal margin (none yet: now). */
function channelAt(state: CarriedState, schedule: Schedule, now: number): number {
  return state.channelRetryAt ?? (state.channelExpiresAt ? Date.parse(state.channelExpiresAt) - schedule.channelRenewMarginMs : now);
}

/**
 * The channel is opened or renewed when a provider asked for it (Graph lifecycle events), or when it
 * is missing or inside its renewal margin — but not before the retry time a failed open set, so an
 * unreachable webhook URL costs one attempt a minute while the poll carries the sync.
 */
export function channelDue(state: CarriedState, schedule: Schedule, now: number): boolean {
  if (state.channelRenewRequested || state.channelRecreateRequested) return true;
  const renewalDue = !state.channelExpiresAt || Date.parse(state.channelExpiresAt) - schedule.channelRenewMarginMs <= now;
  return renewalDue && (state.channelRetryAt === undefined || state.channelRetryAt <= now);
}

/** The reconciliation interval counts from the initial sync, then from each reconciliation. */
export function reconcileAt(state: CarriedState, schedule: Schedule, now: number): number {
  return (state.reconcileFrom ? Date.parse(state.reconcileFrom) : now) + schedule.reconcileIntervalMs;
}

/** Reconciling compares with what the initial sync stored, so it waits for that sync. */
export function reconcileDue(state: CarriedState, schedule: Schedule, now: number): boolean {
  return state.initialSyncDone && reconcileAt(state, schedule, now) <= now;
}

/** After a failed sync the next attempt comes sooner than the regular poll. */
export function pollPeriod(state: CarriedState, schedule: Schedule): number {
  return state.lastError ? Math.min(FAILED_SYNC_RETRY_MS, schedule.pollIntervalMs) : schedule.pollIntervalMs;
}

/** The fallback poll: a sync when none was attempted for a poll period, notified or not (a lost push). */
export function pollDue(state: CarriedState, schedule: Schedule, now: number): boolean {
  return now - state.lastSyncAttemptAt >= pollPeriod(state, schedule);
}

/** A notification or an operator's resync asked for a sync not yet started. */
export function syncWanted(state: CarriedState): boolean {
  return state.syncRequested || state.resyncRequested;
}

/** The earliest a sync may start: the spacing after the previous one started. */
export function spacingEndsAt(state: CarriedState, schedule: Schedule): number {
  return state.lastSyncAttemptAt + schedule.syncSpacingMs;
}

/**
 * The first change of a quiet connection syncs at once (its last sync started long ago); changes
 * during or right after a sync wait for the spacing to pass and are gathered into one more sync.
 */
export function syncDue(state: CarriedState, schedule: Schedule, now: number): boolean {
  return syncWanted(state) && now >= spacingEndsAt(state, schedule);
}

/**
 * How long the loop sleeps: until the earliest of the channel's renewal or retry, the reconciliation
 * (once there is an initial sync to reconcile), the poll and a wanted sync's spacing. At least 1 ms:
 * work already due is done by the turn that computes this, and a zero wait would spin.
 */
export function msUntilNextDue(state: CarriedState, schedule: Schedule, now: number): number {
  const reconcile = state.initialSyncDone ? reconcileAt(state, schedule, now) : Infinity;
  const poll = state.lastSyncAttemptAt + pollPeriod(state, schedule);
  const spacedSync = schedule.syncSpacingMs > 0 && syncWanted(state) ? spacingEndsAt(state, schedule) : Infinity;
  return Math.max(1, Math.min(channelAt(state, schedule, now), reconcile, poll, spacedSync) - now);
}

/** A sync asked for during the wait wakes the loop if its spacing ends before the planned wake-up. */
export function syncBeforeWake(state: CarriedState, schedule: Schedule, wakeAt: number): boolean {
  return syncWanted(state) && spacingEndsAt(state, schedule) < wakeAt;
}

/**
 * What ends the loop's wait before `wakeAt`: a sync that may start sooner, a disconnect, or a
 * provider asking for its channel again. Time alone ends it at `wakeAt`.
 */
export function wakesEarly(state: CarriedState, schedule: Schedule, wakeAt: number): boolean {
  return syncBeforeWake(state, schedule, wakeAt) || state.disconnectRequested || state.channelRenewRequested || state.channelRecreateRequested;
}

/**
 * With a lasting wake timer: the loop keeps the timer it armed in an earlier turn when that fires no
 * later than the wake-up it needs now (it then wakes early once, finds nothing due and arms the later
 * one), and arms a new one only when it must wake sooner. A change synced between two polls moves the
 * next poll later, so it costs no timer command: keeping the timer saves a cancel and a start per
 * change, where a turn woken early costs one workflow task per poll interval at most.
 */
export function keepsWakeTimer(armedAt: number | undefined, wakeAt: number): boolean {
  return armedAt !== undefined && armedAt <= wakeAt;
}

export interface RunProgress {
  /** Turns of the loop finished in this run, counted from 0. */
  turn: number;
  /** The run keeps runs short (`patched('short-runs')`); older runs keep the old length. */
  shortRuns: boolean;
  /** The initial sync finished in this run: connecting is most of a first run's history. */
  connectedInThisRun: boolean;
  /** The server's `continueAsNewSuggested`: the history is getting large. */
  continueAsNewSuggested: boolean;
}

/**
 * A run hands over to a new one when the server suggests it, after its turns (few with short runs:
 * an evicted connection replays its whole run when it wakes) or, with short runs, once it has
 * connected, so the connecting history is never replayed again.
 */
export function shouldContinueAsNew(run: RunProgress): boolean {
  const maxTurns = run.shortRuns ? SHORT_RUN_TURNS : MAX_TURNS_PER_RUN;
  return run.continueAsNewSuggested || run.turn >= maxTurns || (run.shortRuns && run.connectedInThisRun);
}
