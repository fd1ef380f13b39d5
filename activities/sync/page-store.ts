/**
 * Reads a page's slice of the CRM into a PageModel and writes back what the model changed, in one
 * transaction: one multi-row insert each for new meetings, attendees and links, and single-row
 * updates only for rows that really changed (rare outside the first sync of a change). A full sync
 * so costs a handful of statements per page instead of several per event.
 */
import type { Database } from '../../db/client';
import { Prisma } from '../../generated/prisma/client';
import { ATTENDEE_VALUES, LINK_VALUES, MEETING_VALUES, pick, type AttendeeRow, type LinkRow, type MeetingRow, type PageModel, type PageSnapshot, type Tracked } from './page-model';

type Tx = Prisma.TransactionClient;

/** Another calendar's sync created a meeting with one of this page's keys first: apply the page again. */
export class MeetingKeyRace extends Error {}

/**
 * `links`: this connection's links to the page's events, as the page's first reads found them.
 * `removedEventIds`: events the page removes; a removed series master takes its occurrences'
 * meetings with it, so their links are loaded too.
 */
export async function loadPageSnapshot(
  db: Database,
  connection: PageSnapshot['connection'],
  pageLinks: LinkRow[],
  targets: { meetingIds: string[]; meetingKeys: string[]; removedEventIds: string[] },
): Promise<PageSnapshot> {
  const occurrenceLinks = targets.removedEventIds.length
    ? await db.calendarEventLink.findMany({
        where: { connectionId: connection.id, seriesMasterId: { in: targets.removedEventIds }, providerEventId: { notIn: pageLinks.map((link) => link.providerEventId) } },
      })
    : [];
  const links = [...pageLinks, ...occurrenceLinks];
  const eventIds = links.map((link) => link.providerEventId);
  const meetingIds = [...new Set([...targets.meetingIds, ...links.map((link) => link.meetingId)])];
  const meetings = await db.meeting.findMany({
    where: { accountId: connection.accountId, OR: [{ id: { in: meetingIds } }, { meetingKey: { in: targets.meetingKeys } }] },
    include: { attendees: true },
  });
  const loadedIds = meetings.map((meeting) => meeting.id);
  const [meetingLinks, others] = await Promise.all([
    // This connection's other links to the same meetings (a removal cancels only when none holds it).
    db.calendarEventLink.findMany({ where: { connectionId: connection.id, meetingId: { in: loadedIds }, providerEventId: { notIn: eventIds } } }),
    db.calendarEventLink.groupBy({ by: ['meetingId'], where: { meetingId: { in: loadedIds }, connectionId: { not: connection.id } }, _count: true }),
  ]);
  return {
    connection,
    meetings,
    links: [...links, ...meetingLinks],
    otherLinkCounts: new Map(others.map((row) => [row.meetingId, row._count])),
  };
}

function partition<Row>(tracked: Iterable<Tracked<Row>>) {
  const created: Row[] = [];
  const updated: Row[] = [];
  const deleted: Row[] = [];
  for (const { row, created: isNew, updated: isChanged, deleted: isGone } of tracked) {
    if (isNew && !isGone) created.push(row);
    else if (!isNew && isGone) deleted.push(row);
    else if (!isNew && isChanged) updated.push(row);
  }
  return { created, updated, deleted };
}

/** Writes everything the model changed; throws MeetingKeyRace when another sync took a key first. */
export async function savePage(tx: Tx, model: PageModel): Promise<void> {
  const meetings = partition<MeetingRow>(model.meetings.values());
  const attendees = partition<AttendeeRow>([...model.attendees.values()].flatMap((byKey) => [...byKey.values()]));
  const links = partition<LinkRow>(model.links.values());

  if (meetings.created.length) {
    const { count } = await tx.meeting.createMany({ data: meetings.created, skipDuplicates: true });
    if (count < meetings.created.length) throw new MeetingKeyRace('a meeting key of this page was taken meanwhile');
  }
  for (const meeting of meetings.updated) {
    // A meeting deleted in the CRM meanwhile stays as the CRM left it; so does one edited with
    // "send update" meanwhile, unless the calendar cancelled it (see PageModel.upsertMeeting).
    const editGuard = meeting.status === 'CANCELLED' ? {} : { calendarUpdatePendingSince: null };
    await tx.meeting.updateMany({ where: { id: meeting.id, deletedAt: null, ...editGuard }, data: pick(meeting, MEETING_VALUES) });
  }

  if (attendees.deleted.length) {
    await tx.meetingAttendee.deleteMany({ where: { OR: attendees.deleted.map(({ meetingId, emailKey }) => ({ meetingId, emailKey })) } });
  }
  if (attendees.created.length) await tx.meetingAttendee.createMany({ data: attendees.created, skipDuplicates: true });
  for (const attendee of attendees.updated) {
    const { meetingId, emailKey } = attendee;
    await tx.meetingAttendee.upsert({
      where: { meetingId_emailKey: { meetingId, emailKey } },
      create: { meetingId, emailKey, ...pick(attendee, ATTENDEE_VALUES) },
      update: pick(attendee, ATTENDEE_VALUES),
    });
  }

  // A link the CRM's own scheduling made meanwhile is the same link: skipping the duplicate is right.
  if (links.created.length) await tx.calendarEventLink.createMany({ data: links.created, skipDuplicates: true });
  for (const link of links.updated) await tx.calendarEventLink.update({ where: { id: link.id }, data: pick(link, LINK_VALUES) });
  if (links.deleted.length) await tx.calendarEventLink.deleteMany({ where: { id: { in: links.deleted.map((link) => link.id) } } });
}
