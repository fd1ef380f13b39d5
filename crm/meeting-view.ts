/**
 * How a meeting looks to API clients: the meeting, its people with their answers, its associations,
 * and where it lives in calendars. Its attendees' companies are associations too, derived when read,
 * so they follow guest changes and contacts moving between companies without a write.
 */
import type { Prisma } from '../generated/prisma/client';

export const meetingInclude = {
  attendees: { orderBy: { emailKey: 'asc' }, include: { contact: { select: { companyId: true } } } },
  associations: true,
  links: { select: { connectionId: true, providerEventId: true, iCalUID: true, seriesMasterId: true, instanceStart: true, frozen: true } },
} satisfies Prisma.MeetingInclude;

type MeetingWithRelations = Prisma.MeetingGetPayload<{ include: typeof meetingInclude }>;

/** Stored associations, then the attendees' companies not among them, each once. */
function associationsOf(meeting: MeetingWithRelations) {
  const stored = meeting.associations.map((a) => ({ type: a.objectType, id: a.objectId }));
  const storedCompanies = new Set(stored.filter((a) => a.type === 'COMPANY').map((a) => a.id));
  const derived = new Set(meeting.attendees.flatMap((a) => (a.contact?.companyId && !storedCompanies.has(a.contact.companyId) ? [a.contact.companyId] : [])));
  return [...stored, ...[...derived].map((id) => ({ type: 'COMPANY' as const, id }))];
}

export function meetingView(meeting: MeetingWithRelations) {
  return {
    id: meeting.id,
    ownerUserId: meeting.ownerUserId,
    title: meeting.title,
    description: meeting.description,
    location: meeting.location,
    startAt: meeting.startAt,
    endAt: meeting.endAt,
    timeZone: meeting.timeZone,
    allDay: meeting.allDay,
    status: meeting.status,
    source: meeting.source,
    failureReason: meeting.failureReason,
    iCalUID: meeting.iCalUID,
    seriesId: meeting.seriesId,
    instanceStart: meeting.instanceStart,
    // The join link as the calendar has it; null when the event has none (or, when asked for, none yet).
    conference: meeting.conferenceUrl ? { url: meeting.conferenceUrl, provider: meeting.conferenceProvider ?? 'OTHER' } : null,
    conferenceRequested: meeting.conferenceRequested,
    attendees: meeting.attendees.map((a) => ({ email: a.email, name: a.name, response: a.response, organizer: a.organizer, contactId: a.contactId })),
    associations: associationsOf(meeting),
    calendarEvents: meeting.links,
    createdAt: meeting.createdAt,
    updatedAt: meeting.updatedAt,
  };
}
