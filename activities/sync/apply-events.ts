/**
 * Applies one page of calendar changes to the CRM: loads what the rules need in a few batched
 * queries (contacts by email, this connection's links, baseline, series meetings), asks the pure
 * rules for one decision per event, and carries each decision out in its own transaction.
 *
 * Idempotent by construction (SPEC §4.12): meetings are found by link, CRM id or meeting key before
 * anything is created, a change older than the one already applied from the same calendar is
 * skipped, and a decision that matches what is stored writes nothing.
 */
import type { Database } from '../../db/client';
import { Prisma, type AttendeeResponse } from '../../generated/prisma/client';
import type { Logger } from '../../lib/logger';
import type { CalendarEvent, ProviderName, ResponseStatus } from '../../providers/types';
import { decideEventChange, guestEmailsToLookUp, isStale, type Decision, type MeetingDecision, type SyncAccount } from '../../sync-rules';

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
 * applied (`skip`); full reads and reconciliation re-apply it to repair drift (`reapply`).
 */
export async function applyEvents(
  deps: ApplyDependencies,
  context: SyncContext,
  events: CalendarEvent[],
  tally: Tally,
  sameVersion: 'skip' | 'reapply',
): Promise<void> {
  if (events.length === 0) return;
  const { db } = deps;
  const { connection, account } = context;
  const eventIds = events.map((event) => event.id);
  const masterIds = [...new Set(events.flatMap((event) => (event.seriesMasterId ? [event.seriesMasterId] : [])))];
  const emails = [...guestEmailsToLookUp(events, account, { id: connection.id, userEmail: connection.providerEmail })];

  const [contacts, links, outOfOffice, baseline, seriesLinks] = await Promise.all([
    emails.length ? db.contact.findMany({ where: { accountId: connection.accountId, emailKey: { in: emails } }, select: { id: true, emailKey: true } }) : [],
    db.calendarEventLink.findMany({ where: { connectionId: connection.id, providerEventId: { in: eventIds } } }),
    db.outOfOffice.findMany({ where: { connectionId: connection.id, providerEventId: { in: eventIds }, deletedAt: null }, select: { id: true, providerEventId: true } }),
    db.baselineEvent.findMany({ where: { connectionId: connection.id, providerEventId: { in: [...eventIds, ...masterIds] } }, select: { providerEventId: true } }),
    masterIds.length
      ? db.calendarEventLink.findMany({ where: { connectionId: connection.id, providerEventId: { in: masterIds } }, include: { meeting: { include: { attendees: true } } } })
      : [],
  ]);
  const contactsByEmail = new Map(contacts.map((c) => [c.emailKey, c.id]));
  const linkByEvent = new Map(links.map((link) => [link.providerEventId, link]));
  const outOfOfficeByEvent = new Map(outOfOffice.map((o) => [o.providerEventId!, o.id]));
  const baselineEventIds = new Set(baseline.map((b) => b.providerEventId));
  const seriesMeetingByMaster = new Map(seriesLinks.map((link) => [link.providerEventId, link.meeting]));

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
    if (await applyDecision(db, context, event, decision)) {
      tally.changed += 1;
      // A changed series lists its occurrences anew (their ids follow their starts): forget the old ones.
      if (event.kind === 'seriesMaster') await db.seriesOccurrence.deleteMany({ where: { connectionId: connection.id, seriesMasterId: event.id } });
    }
  }
  await rememberOccurrences(db, connection.id, events);
}

/** The occurrences listed of series this calendar has logged, for `confirmRemovals` (SeriesOccurrence). */
async function rememberOccurrences(db: Database, connectionId: string, events: CalendarEvent[]): Promise<void> {
  const occurrences = events.filter(
    (event) => (event.kind === 'occurrence' || event.kind === 'exception') && !event.removed && event.status !== 'cancelled' && event.seriesMasterId && event.originalStart,
  );
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

/** Returns whether anything was written. */
async function applyDecision(db: Database, context: SyncContext, event: CalendarEvent, decision: Exclude<Decision, { action: 'ignore' }>): Promise<boolean> {
  const { connection } = context;
  switch (decision.action) {
    case 'upsertMeeting':
      return withKeyRaceRetry(() => db.$transaction((tx) => upsertMeeting(tx, context, event, decision)));
    case 'freezeLink': {
      const { count } = await db.calendarEventLink.updateMany({ where: { connectionId: connection.id, providerEventId: event.id, frozen: false }, data: { frozen: true } });
      return count > 0;
    }
    case 'removeLink':
      return db.$transaction((tx) => removeLink(tx, connection.id, event.id, decision.cancelledByOrganizer));
    case 'upsertOutOfOffice':
      return upsertOutOfOffice(db, context, decision);
    case 'removeOutOfOffice': {
      const { count } = await db.outOfOffice.updateMany({
        where: { connectionId: connection.id, providerEventId: decision.providerEventId, deletedAt: null },
        data: { deletedAt: new Date() },
      });
      return count > 0;
    }
  }
}

/**
 * Two users' syncs may create the same meeting (same key) at once: the loser of the unique-key race
 * runs again and finds the winner's meeting.
 */
async function withKeyRaceRetry<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return write();
    throw error;
  }
}

async function findTargetMeeting(tx: Tx, accountId: string, connectionId: string, providerEventId: string, decision: MeetingDecision) {
  const include = { attendees: true, links: { where: { connectionId } } } as const;
  const link = await tx.calendarEventLink.findUnique({ where: { connectionId_providerEventId: { connectionId, providerEventId } } });
  if (link) return tx.meeting.findUnique({ where: { id: link.meetingId }, include });
  if (decision.crmMeetingId) {
    const created = await tx.meeting.findFirst({ where: { id: decision.crmMeetingId, accountId }, include });
    if (created) return created;
  }
  return tx.meeting.findUnique({ where: { accountId_meetingKey: { accountId, meetingKey: decision.meetingKey } }, include });
}

async function upsertMeeting(tx: Tx, context: SyncContext, event: CalendarEvent, decision: MeetingDecision): Promise<boolean> {
  const { connection } = context;
  const { fields } = decision;
  const existing = await findTargetMeeting(tx, connection.accountId, connection.id, event.id, decision);
  if (existing?.deletedAt) return false; // deleted in the CRM: sync never revives it (SPEC §5)

  const meetingData = {
    title: fields.title,
    description: fields.description ?? null,
    location: fields.location ?? null,
    startAt: new Date(fields.startAt),
    endAt: new Date(fields.endAt),
    timeZone: fields.timeZone ?? null,
    allDay: fields.allDay,
    status: fields.status,
    iCalUID: fields.iCalUID ?? null,
    seriesId: fields.seriesMasterId ?? null,
    instanceStart: fields.instanceStart ? new Date(fields.instanceStart) : null,
  };
  const linkData = {
    iCalUID: fields.iCalUID ?? null,
    seriesMasterId: fields.seriesMasterId ?? null,
    instanceStart: fields.instanceStart ? new Date(fields.instanceStart) : null,
    frozen: false,
    sourceUpdatedAt: event.updatedAt ? new Date(event.updatedAt) : null,
  };

  let meetingId: string;
  let changed = false;
  if (!existing) {
    const created = await tx.meeting.create({
      data: { ...meetingData, accountId: connection.accountId, ownerUserId: connection.userId, source: 'CALENDAR', meetingKey: decision.meetingKey },
    });
    meetingId = created.id;
    changed = true;
  } else {
    meetingId = existing.id;
    // A CRM-scheduled meeting keeps its own key; a calendar meeting's key never changes.
    const differs = (Object.keys(meetingData) as (keyof typeof meetingData)[]).some((key) => !sameValue(existing[key], meetingData[key]));
    if (differs) {
      await tx.meeting.update({ where: { id: meetingId }, data: meetingData });
      changed = true;
    }
  }

  // The calendar owner's own row (the organizer of a CRM-scheduled meeting) is not the rules' to manage.
  const ownKey = connection.providerEmail.trim().toLowerCase();
  const managed = (existing?.attendees ?? []).filter((a) => a.emailKey !== ownKey);
  changed = (await replaceAttendees(tx, meetingId, managed, decision.attendees)) || changed;

  const currentLink = existing?.links.find((link) => link.providerEventId === event.id);
  if (!currentLink) {
    await tx.calendarEventLink.create({ data: { ...linkData, meetingId, connectionId: connection.id, providerEventId: event.id } });
    changed = true;
  } else if (currentLink.frozen || !sameValue(currentLink.sourceUpdatedAt, linkData.sourceUpdatedAt)) {
    await tx.calendarEventLink.update({ where: { id: currentLink.id }, data: linkData });
    changed = changed || currentLink.frozen;
  }
  return changed;
}

const toStoredResponse = (response: ResponseStatus) => response.toUpperCase() as AttendeeResponse;
const fromStoredResponse = (response: AttendeeResponse) => response.toLowerCase() as ResponseStatus;

type StoredAttendee = { emailKey: string; email: string; name: string | null; response: string; organizer: boolean; contactId: string | null };

/** Re-matches guests on every change (SPEC §4.11): the decision's list replaces the stored one. */
async function replaceAttendees(tx: Tx, meetingId: string, stored: StoredAttendee[], wanted: MeetingDecision['attendees']): Promise<boolean> {
  const storedByKey = new Map(stored.map((a) => [a.emailKey, a]));
  const wantedKeys = new Set(wanted.map((a) => a.emailKey));
  const removed = stored.filter((a) => !wantedKeys.has(a.emailKey)).map((a) => a.emailKey);
  let changed = false;
  if (removed.length) {
    await tx.meetingAttendee.deleteMany({ where: { meetingId, emailKey: { in: removed } } });
    changed = true;
  }
  for (const attendee of wanted) {
    const data = { email: attendee.email, name: attendee.name ?? null, response: toStoredResponse(attendee.response), organizer: attendee.organizer, contactId: attendee.contactId };
    const current = storedByKey.get(attendee.emailKey);
    if (current && (Object.keys(data) as (keyof typeof data)[]).every((key) => sameValue(current[key], data[key]))) continue;
    await tx.meetingAttendee.upsert({
      where: { meetingId_emailKey: { meetingId, emailKey: attendee.emailKey } },
      create: { ...data, meetingId, emailKey: attendee.emailKey },
      update: data,
    });
    changed = true;
  }
  return changed;
}

/**
 * This calendar no longer has the event. The meeting is cancelled when its organizer cancelled it
 * or when no other user's calendar still holds it (SPEC §4.8, §4.10).
 */
async function removeLink(tx: Tx, connectionId: string, providerEventId: string, cancelledByOrganizer: boolean): Promise<boolean> {
  const link = await tx.calendarEventLink.findUnique({ where: { connectionId_providerEventId: { connectionId, providerEventId } } });
  if (!link) return false;
  await tx.calendarEventLink.delete({ where: { id: link.id } });
  const others = await tx.calendarEventLink.count({ where: { meetingId: link.meetingId } });
  if (cancelledByOrganizer || others === 0) {
    await tx.meeting.updateMany({ where: { id: link.meetingId, status: { not: 'CANCELLED' }, deletedAt: null }, data: { status: 'CANCELLED' } });
  }
  return true;
}

/**
 * The calendar's out-of-office event as one of the user's periods (SPEC §4.9). The CRM's own event
 * updates the period the CRM set, never a copy. A period removed in the CRM stays removed: its event's
 * deletion is under way, and a change read before that deletion must not bring the period back.
 */
async function upsertOutOfOffice(db: Database, context: SyncContext, decision: Extract<Decision, { action: 'upsertOutOfOffice' }>): Promise<boolean> {
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

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}
