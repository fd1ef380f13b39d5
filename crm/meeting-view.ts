/**
 * How a meeting looks to API clients: the meeting, its people with their answers, its associations,
 * and where it lives in calendars.
 */
import type { Prisma } from '../generated/prisma/client';

export const meetingInclude = {
  attendees: { orderBy: { emailKey: 'asc' } },
  associations: true,
  links: { select: { connectionId: true, providerEventId: true, iCalUID: true, seriesMasterId: true, instanceStart: true, frozen: true } },
} satisfies Prisma.MeetingInclude;

type MeetingWithRelations = Prisma.MeetingGetPayload<{ include: typeof meetingInclude }>;

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
    attendees: meeting.attendees.map((a) => ({ email: a.email, name: a.name, response: a.response, organizer: a.organizer, contactId: a.contactId })),
    associations: meeting.associations.map((a) => ({ type: a.objectType, id: a.objectId })),
    calendarEvents: meeting.links,
    createdAt: meeting.createdAt,
    updatedAt: meeting.updatedAt,
  };
}
