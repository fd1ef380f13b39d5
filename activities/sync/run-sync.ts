/**
 * The three ways a connection reads its calendar: the initial sync (records what is already there
 * and sets the cursor), the incremental sync (from the cursor; a cursor the provider invalidated
 * turns it into a full re-read, which also removes what the calendar no longer holds), and
 * reconciliation (re-reads the window and reports what it had to repair).
 */
import { ProviderError } from '../../providers/errors';
import type { ProviderSession } from '../provider-session';
import { accountContextOf, loadAccountContext } from './account-context';
import { applyEvents, emptyTally, type ApplyDependencies, type Tally } from './apply-events';
import { confirmRemovals } from './confirm-removals';
import { listAllChanges } from './list-changes';
import { writeCursor, type CursorWrite } from './page-store';

export interface SyncSettings {
  windowPastMs: number;
  windowFutureMs: number;
  blockedGuestDomains: string[];
}

export interface SyncOutcome {
  cursorUpdatedAt: string;
  fullResync: boolean;
  tally: Tally;
}

/** `fullReadInline: false` and the sync needed a full re-read: it read and stored nothing. */
export interface DeferredFullRead {
  fullReadNeeded: true;
  fullResync: false;
  tally: Tally;
}

function syncWindow(settings: SyncSettings) {
  const now = Date.now();
  return { start: new Date(now - settings.windowPastMs).toISOString(), end: new Date(now + settings.windowFutureMs).toISOString() };
}

async function prepare(deps: ApplyDependencies, session: ProviderSession, settings: SyncSettings) {
  // A session opened for a sync read the account with the connection.
  const account = session.account
    ? accountContextOf(session.account, settings.blockedGuestDomains)
    : await loadAccountContext(deps.db, session.connection.accountId, settings.blockedGuestDomains);
  return { account, connection: session.connection };
}

async function saveCursor(deps: ApplyDependencies, connectionId: string, cursor: string | undefined): Promise<string> {
  const write: CursorWrite = { connectionId, cursor: cursor ?? null, at: new Date() };
  await writeCursor(deps.db, write);
  return write.at.toISOString();
}

/**
 * The cursor of a sync whose last page may store it in its own write (apply-events.ts): `forPage`
 * gives the last page its CursorWrite, `save` stores it unless that page already did.
 */
function cursorAfterLastPage(connectionId: string, options: { initialSync?: boolean } = {}) {
  let write: CursorWrite | undefined;
  return {
    forPage(page: { last: boolean; cursor?: string }, fallback?: string): CursorWrite | undefined {
      write = page.last ? { connectionId, cursor: page.cursor ?? fallback ?? null, at: new Date(), initialSync: options.initialSync } : undefined;
      return write;
    },
    async save(deps: ApplyDependencies): Promise<string> {
      if (!write) throw new Error('the listing ended without a last page');
      if (!write.written) {
        write.at = new Date();
        await writeCursor(deps.db, write);
      }
      return write.at.toISOString();
    },
  };
}

/**
 * Everything in the calendar now is "already there" (SPEC §4.3): its ids go to the baseline before
 * the rules see the page, so only CRM-created, already-linked and out-of-office events are imported.
 */
export async function runInitialSync(deps: ApplyDependencies, session: ProviderSession, settings: SyncSettings): Promise<SyncOutcome> {
  const context = await prepare(deps, session, settings);
  const tally = emptyTally();
  const connectionId = session.connection.id;
  const cursor = cursorAfterLastPage(connectionId, { initialSync: true });
  await listAllChanges(session, { window: syncWindow(settings) }, 'initial', async (events, page) => {
    const present = events.filter((event) => !event.removed && event.status !== 'cancelled');
    await deps.db.baselineEvent.createMany({
      data: present.map((event) => ({ connectionId, providerEventId: event.id })),
      skipDuplicates: true,
    });
    await applyEvents(deps, context, events, tally, 'reapply', cursor.forPage(page));
  });
  return { cursorUpdatedAt: await cursor.save(deps), fullResync: false, tally };
}

export async function runIncrementalSync(
  deps: ApplyDependencies,
  session: ProviderSession,
  settings: SyncSettings,
  options: { fullResync: boolean; fullReadInline?: boolean },
): Promise<SyncOutcome | DeferredFullRead> {
  const context = await prepare(deps, session, settings);
  const connectionId = session.connection.id;
  // A session opened for a sync read the cursor with the connection.
  const stored = { cursor: session.cursor !== undefined ? session.cursor : (await deps.db.calendarConnection.findUniqueOrThrow({ where: { id: connectionId }, select: { cursor: true } })).cursor };
  const fullRead = async () => {
    const tally = emptyTally();
    const window = syncWindow(settings);
    const seen = new Set<string>();
    const cursor = await listAllChanges(session, { window }, 'full', async (events) => {
      for (const event of events) seen.add(event.id);
      await applyEvents(deps, context, events, tally, 'reapply');
    });
    // A full listing shows no deletions: those made since the lost cursor are found by what it lacks.
    await removeUnseen(deps, context, session, window, seen, tally);
    return { cursorUpdatedAt: await saveCursor(deps, connectionId, cursor), fullResync: true, tally };
  };
  // A sync run in its workflow task leaves a full re-read (long, heartbeating) to an activity of its own.
  const fullReadOrDefer = async (): Promise<SyncOutcome | DeferredFullRead> =>
    options.fullReadInline === false ? { fullReadNeeded: true, fullResync: false, tally: emptyTally() } : fullRead();
  if (options.fullResync) return fullRead();
  if (!stored.cursor) return fullReadOrDefer();

  const tally = emptyTally();
  const from = stored.cursor;
  try {
    const cursor = cursorAfterLastPage(connectionId);
    await listAllChanges(session, { cursor: from }, `from:${from}`, async (events, page) =>
      applyEvents(deps, context, await confirmRemovals(deps.db, session, events), tally, 'skip', cursor.forPage(page, from)),
    );
    return { cursorUpdatedAt: await cursor.save(deps), fullResync: false, tally };
  } catch (error) {
    if (!(error instanceof ProviderError && error.kind === 'cursorInvalidated')) throw error;
    // Google 410 / Graph expired delta: re-read everything. Upserts keyed by provider event id and
    // meeting key make this create no duplicate; what was applied before stays applied.
    deps.logger.warn('cursor invalidated, full resync', { connectionId });
    return fullReadOrDefer();
  }
}

/**
 * Linked meetings, out-of-office periods and logged occurrences of `window` that a full listing did
 * not show (`seen`): each is looked up on its own (`confirmRemovals`) and removed when its event is
 * gone; a gone occurrence of a series as the CRM applied it is a cancelled week (Graph lists a
 * cancelled occurrence no more, and a full read has no `@removed` to say so).
 */
async function removeUnseen(
  deps: ApplyDependencies,
  context: Awaited<ReturnType<typeof prepare>>,
  session: ProviderSession,
  window: { start: string; end: string },
  seen: ReadonlySet<string>,
  tally: Tally,
): Promise<void> {
  const connectionId = session.connection.id;
  const [start, end] = [new Date(window.start), new Date(window.end)];
  // One statement and one row: the window's ids as one array, the account's meetings read by their
  // (account, start) index (a calendar of 10,000 events: ~0.1 s, where three row-by-row reads that
  // scanned every account's meetings took 0.3-1 s).
  const [row] = await deps.db.$queryRaw<{ ids: string[] }[]>`
    SELECT ARRAY(
      SELECT l.provider_event_id FROM calendar_event_links l JOIN meetings m ON m.id = l.meeting_id
      WHERE l.connection_id = ${connectionId}::uuid AND m.account_id = ${session.connection.accountId}::uuid AND m.status <> 'CANCELLED' AND m.deleted_at IS NULL AND m.start_at >= ${start} AND m.start_at <= ${end}
      UNION
      SELECT o.provider_event_id FROM out_of_office o
      WHERE o.connection_id = ${connectionId}::uuid AND o.deleted_at IS NULL AND o.provider_event_id IS NOT NULL AND o.end_at >= ${start} AND o.start_at <= ${end}
      UNION
      SELECT s.provider_event_id FROM series_occurrences s
      WHERE s.connection_id = ${connectionId}::uuid AND s.original_start >= ${start} AND s.original_start <= ${end}
    ) AS ids`;
  const unseen = (row?.ids ?? []).filter((id) => !seen.has(id));
  if (unseen.length === 0) return;
  const removals = unseen.map((id) => ({ id, kind: 'single' as const, status: 'cancelled' as const, removed: true, visibility: 'default' as const, eventType: 'default' as const, guests: [] }));
  await applyEvents(deps, context, await confirmRemovals(deps.db, session, removals), tally, 'reapply');
}

export interface ReconcileOutcome {
  at: string;
  checked: number;
  repaired: number;
}

/** The reconciliation report and the tally behind it (for metrics; the workflow keeps the report). */
export type ReconcileResult = { report: ReconcileOutcome; tally: Tally };

/**
 * Re-reads the synced window and applies it again. Applying a state the CRM already holds writes
 * nothing, so whatever is written is drift: a repair. Linked meetings and out-of-office periods the
 * listing no longer shows are looked up one by one, and removed when their event is gone. The read's
 * cursor then replaces the stored one: everything before it has just been applied, and a Graph delta
 * link keeps the window of the read that made it, so this keeps that window moving with the days.
 */
export async function runReconcile(deps: ApplyDependencies, session: ProviderSession, settings: SyncSettings): Promise<ReconcileResult> {
  const context = await prepare(deps, session, settings);
  const connectionId = session.connection.id;
  const window = syncWindow(settings);
  const tally = emptyTally();
  const seen = new Set<string>();
  const cursor = await listAllChanges(session, { window }, 'reconcile', async (events) => {
    for (const event of events) seen.add(event.id);
    await applyEvents(deps, context, events, tally, 'reapply');
  });

  await removeUnseen(deps, context, session, window, seen, tally);

  const at = new Date();
  await deps.db.calendarConnection.update({ where: { id: connectionId }, data: { lastReconcileAt: at } });
  if (cursor) await saveCursor(deps, connectionId, cursor);
  return { report: { at: at.toISOString(), checked: tally.seen, repaired: tally.changed }, tally };
}
