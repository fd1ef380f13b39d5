/**
 * Scheduling a meeting from the CRM (SPEC §5): validates everything before writing anything, writes
 * the meeting in SCHEDULING with its guests and associations, and leaves creating the calendar event
 * to a workflow. Editing, retrying and deleting follow the same rules.
 */
import type { Database } from '../db/client';
import type { Prisma } from '../generated/prisma/client';
import { usableConnection } from './calendar-connection';
import { InvalidInputError, StateConflictError, type FieldProblem } from './errors';
import { resolveTimes } from './meeting-times';

export interface MeetingInput {
  ownerUserId: string;
  title: string;
  description?: string;
  location?: string;
  /** Date-times with offset; with `allDay`, dates (`2026-12-10`), the end exclusive (crm/meeting-times.ts). */
  startAt: string;
  endAt: string;
  allDay?: boolean;
  timeZone?: string;
  /** Create the event with an online meeting (Google Meet, Microsoft Teams): its join URL lands on the meeting. */
  conference?: boolean;
  guestContactIds: string[];
  associations: { contacts: string[]; companies: string[]; deals: string[]; tickets: string[] };
}

export type MeetingChanges = Partial<Omit<MeetingInput, 'ownerUserId' | 'associations' | 'conference'>>;

type Tx = Prisma.TransactionClient | Database;

/** Ids of `model` records that are not this account's, as field problems. */
async function unknownIds(
  find: (ids: string[]) => Promise<{ id: string }[]>,
  ids: string[],
  field: string,
  what: string,
): Promise<FieldProblem[]> {
  if (ids.length === 0) return [];
  const found = new Set((await find(ids)).map((record) => record.id));
  return ids.flatMap((id, index) => (found.has(id) ? [] : [{ field: `${field}.${index}`, problem: `no ${what} with id ${id}` }]));
}

async function checkRecords(db: Database, accountId: string, input: Pick<MeetingInput, 'guestContactIds' | 'associations'>): Promise<void> {
  const problems = (
    await Promise.all([
      unknownIds((ids) => db.contact.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } }), input.guestContactIds, 'guestContactIds', 'contact'),
      unknownIds((ids) => db.contact.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } }), input.associations.contacts, 'associations.contacts', 'contact'),
      unknownIds((ids) => db.company.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } }), input.associations.companies, 'associations.companies', 'company'),
      unknownIds((ids) => db.deal.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } }), input.associations.deals, 'associations.deals', 'deal'),
      unknownIds((ids) => db.ticket.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } }), input.associations.tickets, 'associations.tickets', 'ticket'),
    ])
  ).flat();
  if (problems.length) throw new InvalidInputError(problems);
}

async function guestAttendees(tx: Tx, accountId: string, contactIds: string[]) {
  const contacts = await tx.contact.findMany({ where: { accountId, id: { in: contactIds } } });
  return contacts.map((contact) => ({
    emailKey: contact.emailKey,
    email: contact.email,
    name: [contact.firstName, contact.lastName].filter(Boolean).join(' ') || null,
    response: 'NONE' as const,
    organizer: false,
    contactId: contact.id,
  }));
}

/**
 * `id`, when given, makes the create idempotent: a meeting already made with it (by a request whose
 * answer was lost) is returned as it is.
 */
export async function createScheduledMeeting(db: Database, accountId: string, input: MeetingInput, id?: string) {
  const times = resolveTimes(input);
  if (times.problems.length) throw new InvalidInputError(times.problems);
  const { connection } = await usableConnection(db, accountId, input.ownerUserId);
  await checkRecords(db, accountId, input);
  return db.$transaction(async (tx) => {
    const existing = id ? await tx.meeting.findFirst({ where: { id, accountId } }) : null;
    if (existing) return existing;
    const guests = await guestAttendees(tx, accountId, input.guestContactIds);
    const organizer = { emailKey: connection.providerEmail.trim().toLowerCase(), email: connection.providerEmail, name: null, response: 'ACCEPTED' as const, organizer: true, contactId: null };
    const contactAssociations = new Set([...input.guestContactIds, ...input.associations.contacts]);
    return tx.meeting.create({
      data: {
        id,
        accountId,
        ownerUserId: input.ownerUserId,
        title: input.title,
        description: input.description ?? null,
        location: input.location ?? null,
        startAt: times.startAt,
        endAt: times.endAt,
        allDay: times.allDay,
        timeZone: input.timeZone ?? null,
        conferenceRequested: input.conference ?? false,
        status: 'SCHEDULING',
        source: 'CRM',
        attendees: { create: [organizer, ...guests.filter((g) => g.emailKey !== organizer.emailKey)] },
        associations: {
          create: [
            ...[...contactAssociations].map((objectId) => ({ objectType: 'CONTACT' as const, objectId })),
            ...input.associations.companies.map((objectId) => ({ objectType: 'COMPANY' as const, objectId })),
            ...input.associations.deals.map((objectId) => ({ objectType: 'DEAL' as const, objectId })),
            ...input.associations.tickets.map((objectId) => ({ objectType: 'TICKET' as const, objectId })),
          ],
        },
      },
    });
  });
}

/**
 * Applies a CRM edit; new guests replace the contact guests (others, like the organizer, stay).
 * `calendarUpdate`: the edit goes to the calendar next, and is marked pending until it is there.
 */
export async function editMeeting(db: Database, accountId: string, meetingId: string, changes: MeetingChanges, options: { calendarUpdate?: boolean } = {}) {
  if (changes.guestContactIds) await checkRecords(db, accountId, { guestContactIds: changes.guestContactIds, associations: { contacts: [], companies: [], deals: [], tickets: [] } });
  return db.$transaction(async (tx) => {
    const meeting = await tx.meeting.findFirst({ where: { id: meetingId, accountId, deletedAt: null } });
    if (!meeting) return undefined;
    // Dates or date-times as the meeting is (or becomes) all-day or not; checked before anything is written.
    const { problems, ...times } = resolveTimes(changes, meeting);
    if (problems.length) throw new InvalidInputError(problems);
    if (changes.guestContactIds) {
      const guests = await guestAttendees(tx, accountId, changes.guestContactIds);
      await tx.meetingAttendee.deleteMany({ where: { meetingId, contactId: { not: null }, emailKey: { notIn: guests.map((g) => g.emailKey) } } });
      for (const guest of guests) {
        await tx.meetingAttendee.upsert({ where: { meetingId_emailKey: { meetingId, emailKey: guest.emailKey } }, create: { ...guest, meetingId }, update: { contactId: guest.contactId } });
        await tx.meetingAssociation.upsert({
          where: { meetingId_objectType_objectId: { meetingId, objectType: 'CONTACT', objectId: guest.contactId } },
          create: { meetingId, objectType: 'CONTACT', objectId: guest.contactId },
          update: {},
        });
      }
    }
    return tx.meeting.update({
      where: { id: meetingId },
      data: {
        title: changes.title,
        description: changes.description,
        location: changes.location,
        timeZone: changes.timeZone,
        ...times,
        ...(options.calendarUpdate ? { calendarUpdatePendingSince: new Date() } : {}),
      },
    });
  });
}

/**
 * A "save and send update" edit needs the meeting's event in its owner's calendar, and that calendar
 * usable: checked before the edit is written.
 */
export async function requireCalendarEvent(db: Database, accountId: string, meeting: { ownerUserId: string | null; links: { connectionId: string }[] }): Promise<void> {
  if (!meeting.ownerUserId) throw new StateConflictError('no_calendar_event', 'the meeting has no owner whose calendar could be updated');
  const { connection } = await usableConnection(db, accountId, meeting.ownerUserId);
  if (!meeting.links.some((link) => link.connectionId === connection.id)) {
    throw new StateConflictError('no_calendar_event', "the meeting has no event in its owner's calendar to update");
  }
}

/** Puts a FAILED meeting back in SCHEDULING for another attempt; undefined when the account has no such meeting. */
export async function retryFailedMeeting(db: Database, accountId: string, meetingId: string) {
  const meeting = await db.meeting.findFirst({ where: { id: meetingId, accountId, deletedAt: null } });
  if (!meeting) return undefined;
  if (meeting.status !== 'FAILED') throw new StateConflictError('not_failed', `only a FAILED meeting can be retried; this one is ${meeting.status}`);
  await usableConnection(db, accountId, meeting.ownerUserId!);
  return db.meeting.update({ where: { id: meetingId }, data: { status: 'SCHEDULING', failureReason: null } });
}

/** Deletes a meeting in the CRM only (SPEC §5: the calendar event stays, and sync never revives it); false when there is none. */
export async function deleteMeeting(db: Database, accountId: string, meetingId: string): Promise<boolean> {
  const { count } = await db.meeting.updateMany({ where: { id: meetingId, accountId, deletedAt: null }, data: { deletedAt: new Date() } });
  return count > 0;
}
