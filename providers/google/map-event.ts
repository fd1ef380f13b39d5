/**
 * Google Calendar event → `CalendarEvent` (pure). The sync rules see only the normalized shape.
 */
import type { calendar_v3 } from './googleapis';
import { seriesSignature } from '../series-signature';
import { conferenceProviderOfUrl, joinableUrl } from '../conference';
import type { CalendarEvent, EventConference, EventGuest, EventTime, ResponseStatus } from '../../model/calendar-event';

type GoogleEvent = calendar_v3.Schema$Event;

const RESPONSES: Record<string, ResponseStatus> = { accepted: 'accepted', declined: 'declined', tentative: 'tentative', needsAction: 'none' };

/**
 * Instants are normalized to UTC ISO strings. An all-day event has only a `date` and, usually, no
 * zone: it is reported as 00:00 UTC of that date with `allDay: true` (the calendar's own zone is not
 * known here), and its `timeZone` when Google gives one.
 */
export function mapTime(time: calendar_v3.Schema$EventDateTime | undefined | null): EventTime | undefined {
  if (!time) return undefined;
  const zone = time.timeZone ? { timeZone: time.timeZone } : {};
  if (time.dateTime) return { dateTime: new Date(time.dateTime).toISOString(), ...zone };
  if (time.date) return { dateTime: `${time.date}T00:00:00.000Z`, allDay: true, ...zone };
  return undefined;
}

/**
 * Guests: Google flags rooms and equipment (`resource`) but not groups — a group address looks like
 * any other attendee. So no group detection here: a group invited as such stays a `person` guest.
 */
function mapGuest(attendee: calendar_v3.Schema$EventAttendee): EventGuest {
  return {
    email: attendee.email ?? '',
    ...(attendee.displayName ? { name: attendee.displayName } : {}),
    response: RESPONSES[attendee.responseStatus ?? 'needsAction'] ?? 'none',
    kind: attendee.resource ? 'resource' : 'person',
    organizer: !!attendee.organizer,
    self: !!attendee.self,
  };
}

/**
 * The join URL: the `video` entry point of `conferenceData` ("a conference can have zero or one
 * video entry point", Calendar API Event resource), else the older `hangoutLink`. A conference whose create request is
 * still pending has no entry points yet: no conference until an update brings them. Meet is named by
 * its solution key (`hangoutsMeet`; the retired `eventHangout`/`eventNamedHangout` moved to Meet too);
 * an add-on (Zoom, Teams, …) by its URL's host.
 */
function mapConference(event: GoogleEvent): EventConference | undefined {
  const data = event.conferenceData;
  const video = joinableUrl(data?.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri);
  if (video) {
    const key = data?.conferenceSolution?.key?.type;
    const meet = key === 'hangoutsMeet' || key === 'eventHangout' || key === 'eventNamedHangout';
    return { url: video, provider: meet ? 'GOOGLE_MEET' : conferenceProviderOfUrl(video) };
  }
  const hangout = joinableUrl(event.hangoutLink);
  return hangout ? { url: hangout, provider: 'GOOGLE_MEET' } : undefined;
}

export function mapGoogleEvent(event: GoogleEvent): CalendarEvent {
  const id = event.id ?? '';
  const kind = event.recurringEventId ? 'exception' : event.recurrence?.length ? 'seriesMaster' : 'single';
  const series = event.recurringEventId
    ? { seriesMasterId: event.recurringEventId, originalStart: mapTime(event.originalStartTime)?.dateTime }
    : {};
  const status = event.status === 'cancelled' ? 'cancelled' : event.status === 'tentative' ? 'tentative' : 'confirmed';
  // Deletions in a sync come bare: id and status (plus the series link for an instance), no times.
  const removed = status === 'cancelled' && !event.start && !event.summary;
  const base = {
    id,
    ...(event.iCalUID ? { iCalUID: event.iCalUID } : {}),
    kind,
    ...series,
    status,
  } as const;
  if (removed) return { ...base, removed: true, visibility: 'default', eventType: 'default', guests: [] };
  const organizer = event.organizer?.email
    ? { email: event.organizer.email, ...(event.organizer.displayName ? { name: event.organizer.displayName } : {}), self: !!event.organizer.self }
    : undefined;
  const { crmMeetingId, crmOutOfOfficeId } = event.extendedProperties?.private ?? {};
  const start = mapTime(event.start);
  const end = mapTime(event.end);
  const conference = mapConference(event);
  return {
    ...base,
    ...(event.summary != null ? { title: event.summary } : {}),
    ...(event.description != null ? { description: event.description } : {}),
    ...(event.location != null ? { location: event.location } : {}),
    ...(start ? { start } : {}),
    ...(end ? { end } : {}),
    ...(kind === 'seriesMaster' ? { seriesSignature: seriesSignature(event.recurrence, start, end) } : {}),
    visibility: event.visibility === 'private' || event.visibility === 'confidential' ? 'private' : event.visibility === 'public' ? 'public' : 'default',
    eventType: !event.eventType || event.eventType === 'default' ? 'default' : event.eventType === 'outOfOffice' ? 'outOfOffice' : 'other',
    ...(organizer ? { organizer } : {}),
    guests: (event.attendees ?? []).filter((attendee) => attendee.email).map(mapGuest),
    ...(event.created ? { createdAt: event.created } : {}),
    ...(event.updated ? { updatedAt: event.updated } : {}),
    ...(crmMeetingId ? { crmMeetingId } : {}),
    ...(crmOutOfOfficeId ? { crmOutOfOfficeId } : {}),
    ...(conference ? { conference } : {}),
  };
}
