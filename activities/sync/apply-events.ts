/**
 * Applies one page of calendar changes to the CRM, fetch → decide → save: loads what the rules need
 * in a few batched queries (contacts by email, this connection's links, baseline, series meetings,
 * the meetings the decisions land on), asks the pure rules for one decision per event, carries the
 * decisions out on an in-memory model of the page (page-model.ts) and writes the result in one
 * transaction with multi-row statements (page-store.ts).
 *
 * Idempotent by construction (SPEC §4.12): meetings are found by link, CRM id or meeting key before
 * anything is created, a change older than the one already applied from the same calendar is
 * skipped, and a decision that matches what is stored writes nothing.
 */
import type { Database } from '../../db/client';
import { Prisma, type AttendeeResponse } from '../../generated/prisma/client';
import type { Logger } from '../../lib/logger';
import type { CalendarEvent, ProviderName, ResponseStatus } from '../../model/calendar-event';
import { decideEventChange, guestEmailsToLookUp, isStale, type Decision, type SyncAccount } from '../../sync-rules';
import { PageModel, sameValue } from './page-model';
import { loadPageReads, loadPageSnapshot, MeetingKeyRace, savePage, type CursorWrite } from './page-store';

export interface ApplyDependencies {
  db: Database;
  logger: Logger;
}

export interface SyncContext {
  account: SyncAccount;
  connection: { id: string; accountId: string; userId: string; provider: ProviderName; providerEmail: string };
}

/** What a sync did, for the workflow's status and reconciliation's report. */
export interface Tally {
  seen: number;
  /** Decisions that wrote something. */
  changed: number;
  ignored: Record<string, number>;
}

export const emptyTally = (): Tally => ({ seen: 0, changed: 0, ignored: {} });

type Tx = Prisma.TransactionClient;

/**
 * Applies one page of changes. `sameVersion`: an incremental sync skips a version its link already
 * applied (`skip`); full reads and reconciliation re-apply it to repair drift (`reapply`). A page
 * that lost a meeting-key race to another calendar's sync is applied once more, from fresh reads.
 * `cursor`: the sync's last page stores the cursor in its own write, when it writes anything and
 * nothing is written after it (`cursor.written` says whether it did).
 */
export async function applyEvents(
  deps: ApplyDependencies,
  context: SyncContext,
  events: CalendarEvent[],
  tally: Tally,
  sameVersion: 'skip' | 'reapply',
  cursor?: CursorWrite,
): Promise<void> {
  if (events.length === 0) return;
  const occurrences = occurrencesToRemember(events);
  // Remembering occurrences comes after the page's write: a cursor stored before it would skip them on a retry.
  const finish = occurrences.length === 0 ? cursor : undefined;
  let page: Tally;
  try {
    page = await applyPage(deps, context, events, sameVersion, finish);
  } catch (error) {
    if (!(error instanceof MeetingKeyRace)) throw error;
    page = await applyPage(deps, context, events, sameVersion, finish);
  }
  tally.seen += page.seen;
  tally.changed += page.changed;
  for (const [reason, count] of Object.entries(page.ignored)) tally.ignored[reason] = (tally.ignored[reason] ?? 0) + count;
  await rememberOccurrences(deps.db, context.connection.id, occurrences);
}

type Acting = { event: CalendarEvent; decision: Exclude<Decision, { action: 'ignore' }> };

/** Fetch what the rules need, decide every event, carry the decisions out in memory, save once. */
async function applyPage(deps: ApplyDependencies, context: SyncContext, events: CalendarEvent[], sameVersion: 'skip' | 'reapply', cursor: CursorWrite | undefined): Promise<Tally> {
  const { db } = deps;
  const { connection, account } = context;
  const tally = emptyTally();
  const eventIds = events.map((event) => event.id);
  const masterIds = [...new Set(events.flatMap((event) => (event.seriesMasterId ? [event.seriesMasterId] : [])))];
  const emails = [...guestEmailsToLookUp(events, account, { id: connection.id, userEmail: connection.providerEmail })];

  const [{ contacts, links, outOfOffice, baselineEventIds: baseline }, seriesLinks] = await Promise.all([
    loadPageReads(db, connection, { eventIds, baselineIds: [...eventIds, ...masterIds], emails }),
    masterIds.length
      ? db.calendarEventLink.findMany({ where: { connectionId: connection.id, providerEventId: { in: masterIds } }, include: { meeting: { include: { attendees: true } } } })
      : [],
  ]);
  const contactsByEmail = new Map(contacts.map((c) => [c.emailKey, c.id]));
  const linkByEvent = new Map(links.map((link) => [link.providerEventId, link]));
  const outOfOfficeByEvent = new Map(outOfOffice.map((o) => [o.providerEventId, o.id]));
  const baselineEventIds = new Set(baseline);
  const seriesMeetingByMaster = new Map(seriesLinks.map((link) => [link.providerEventId, link.meeting]));

  // Every decision is made on the page as stored before it (the rules are pure; see sync-rules/).
  const acting: Acting[] = [];
  for (const event of events) {
    tally.seen += 1;
    const link = linkByEvent.get(event.id);
    const outOfOfficeId = outOfOfficeByEvent.get(event.id);
    const series = event.seriesMasterId ? seriesMeetingByMaster.get(event.seriesMasterId) : undefined;
    const decision = decideEventChange({
      event,
      account,
      connection: { id: connection.id, userEmail: connection.providerEmail },
      baselineEventIds,
      contactsByEmail,
      existing: link
        ? { kind: 'meeting', meetingId: link.meetingId, frozen: link.frozen }
        : outOfOfficeId
          ? { kind: 'outOfOffice', outOfOfficeId }
          : undefined,
      seriesMeeting: series
        ? {
            iCalUID: series.iCalUID ?? undefined,
            title: series.title,
            description: series.description ?? undefined,
            location: series.location ?? undefined,
            startAt: series.startAt.toISOString(),
            endAt: series.endAt.toISOString(),
            timeZone: series.timeZone ?? undefined,
            attendees: series.attendees.map((a) => ({
              email: a.email,
              emailKey: a.emailKey,
              name: a.name ?? undefined,
              response: fromStoredResponse(a.response),
              contactId: a.contactId,
              organizer: a.organizer,
            })),
          }
        : undefined,
    });
    if (decision.action === 'ignore') {
      tally.ignored[decision.reason] = (tally.ignored[decision.reason] ?? 0) + 1;
      continue;
    }
    if (link?.sourceUpdatedAt && event.updatedAt && isStale(event.updatedAt, link.sourceUpdatedAt.toISOString(), sameVersion)) {
      tally.ignored.stale = (tally.ignored.stale ?? 0) + 1;
      continue;
    }
    acting.push({ event, decision });
  }
  if (acting.length === 0) return tally;

  const upserts = acting.flatMap(({ decision }) => (decision.action === 'upsertMeeting' ? [decision] : []));
  const model = new PageModel(
    await loadPageSnapshot(db, connection, links, {
      meetingIds: upserts.flatMap((decision) => (decision.crmMeetingId ? [decision.crmMeetingId] : [])),
      meetingKeys: upserts.map((decision) => decision.meetingKey),
      removedEventIds: acting.flatMap(({ event, decision }) => (decision.action === 'removeLink' ? [event.id] : [])),
    }),
  );
  const outOfOfficeChanges: Acting['decision'][] = [];
  for (const { event, decision } of acting) {
    let changed = false;
    switch (decision.action) {
      case 'upsertMeeting':
        changed = model.upsertMeeting(event, decision);
        break;
      case 'freezeLink':
        changed = model.freezeLink(event.id);
        break;
      case 'removeLink':
        changed = model.removeLink(event.id, decision.cancelledByOrganizer);
        break;
      default:
        outOfOfficeChanges.push(decision); // a few per sync at most: row by row, in the transaction below
    }
    if (changed) tally.changed += 1;
  }
  if (!model.hasChanges() && outOfOfficeChanges.length === 0) return tally;

  if (outOfOfficeChanges.length === 0) {
    // The usual page: one statement, atomic on its own.
    await savePage(db, connection.id, model, cursor);
    return tally;
  }
  await db.$transaction(
    async (tx) => {
      for (const decision of outOfOfficeChanges) if (await applyOutOfOffice(tx, context, decision)) tally.changed += 1;
      await savePage(tx, connection.id, model, cursor);
    },
    // A page is a few statements, but a loaded database must not turn that into a failed sync.
    { maxWait: 10_000, timeout: 60_000 },
  );
  return tally;
}

/** Listed occurrences of series, which `rememberOccurrences` keeps when their series is logged. */
function occurrencesToRemember(events: CalendarEvent[]): CalendarEvent[] {
  return events.filter(
    (event) => (event.kind === 'occurrence' || event.kind === 'exception') && !event.removed && event.status !== 'cancelled' && event.seriesMasterId && event.originalStart,
  );
}

/** The occurrences listed of series this calendar has logged, for `confirmRemovals` (SeriesOccurrence). */
async function rememberOccurrences(db: Database, connectionId: string, occurrences: CalendarEvent[]): Promise<void> {
  if (occurrences.length === 0) return;
  const masterIds = [...new Set(occurrences.map((event) => event.seriesMasterId!))];
  // Asked after the page is applied: the page may have just logged the series.
  const logged = await db.calendarEventLink.findMany({ where: { connectionId, providerEventId: { in: masterIds } }, select: { providerEventId: true } });
  const loggedMasters = new Set(logged.map((link) => link.providerEventId));
  const rows = occurrences
    .filter((event) => loggedMasters.has(event.seriesMasterId!))
    .map((event) => ({ connectionId, providerEventId: event.id, seriesMasterId: event.seriesMasterId!, originalStart: new Date(event.originalStart!) }));
  if (rows.length > 0) await db.seriesOccurrence.createMany({ data: rows, skipDuplicates: true });
}

/** Out-of-office decisions are carried out row by row in the page's transaction. */
async function applyOutOfOffice(tx: Tx, context: SyncContext, decision: Acting['decision']): Promise<boolean> {
  if (decision.action === 'upsertOutOfOffice') return upsertOutOfOffice(tx, context, decision);
  if (decision.action !== 'removeOutOfOffice') return false;
  const { count } = await tx.outOfOffice.updateMany({
    where: { connectionId: context.connection.id, providerEventId: decision.providerEventId, deletedAt: null },
    data: { deletedAt: new Date() },
  });
  return count > 0;
}

const fromStoredResponse = (response: AttendeeResponse) => response.toLowerCase() as ResponseStatus;

/**
 * The calendar's out-of-office event as one of the user's periods (SPEC §4.9). The CRM's own event
 * updates the period the CRM set, never a copy. A period removed in the CRM stays removed: its event's
 * deletion is under way, and a change read before that deletion must not bring the period back.
 */
async function upsertOutOfOffice(db: Tx, context: SyncContext, decision: Extract<Decision, { action: 'upsertOutOfOffice' }>): Promise<boolean> {
  const { connection } = context;
  const link = { connectionId: connection.id, providerEventId: decision.providerEventId };
  const data = { ...link, title: decision.title ?? null, startAt: new Date(decision.startAt), endAt: new Date(decision.endAt), deletedAt: null };
  const current =
    (await db.outOfOffice.findUnique({ where: { connectionId_providerEventId: link } })) ??
    (decision.crmOutOfOfficeId ? await db.outOfOffice.findFirst({ where: { id: decision.crmOutOfOfficeId, userId: connection.userId } }) : null);
  if (!current) {
    await db.outOfOffice.upsert({
      where: { connectionId_providerEventId: link },
      create: { ...data, accountId: connection.accountId, userId: connection.userId, source: 'CALENDAR' },
      update: data,
    });
    return true;
  }
  if (current.source === 'CRM' && current.deletedAt) return false;
  if ((Object.keys(data) as (keyof typeof data)[]).every((key) => sameValue(current[key], data[key]))) return false;
  await db.outOfOffice.update({ where: { id: current.id }, data });
  return true;
}
