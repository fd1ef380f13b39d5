/**
 * A Graph event as the service's normalized `CalendarEvent`. Pure.
 *
 * - `@removed` (deleted, or left the delta window) carries only the id: a bare removal.
 * - `type` singleInstance/seriesMaster/occurrence/exception → single/seriesMaster/occurrence/exception;
 *   `originalStart` is Graph's for exceptions; an occurrence that lacks it is unmoved, so its start.
 * - Sensitivity `private` and `confidential` → `private` (SPEC names `private`; `confidential` hides
 *   at least as much, so the stricter reading). `showAs: oof` → `outOfOffice`.
 * - Attendee `resource` → kind `resource` (rooms, equipment); Graph does not mark distribution lists.
 * - Responses: organizer → accepted (and the guest is flagged organizer), tentativelyAccepted →
 *   tentative, none/notResponded → none.
 * - Times: the adapter asks for UTC (`Prefer: outlook.timezone="UTC"`), rendered as ISO with `Z`; a
 *   time rendered in another zone is read in that zone. The event's own zone is
 *   `originalStartTimeZone` (a Windows name, or the IANA name it was created with), as IANA.
 * - All-day: the date(s) in the event's own zone, as 00:00 UTC of each date (types.ts `EventTime`).
 * - `transactionId` `crm-<id>` → `crmMeetingId`, `crmo-<id>` → `crmOutOfOfficeId` (write-body.ts).
 * - Conference: `onlineMeeting.joinUrl` (else the older Skype-era `onlineMeetingUrl`), the provider
 *   from `onlineMeetingProvider` (teamsForBusiness → TEAMS, skypeForBusiness/skypeForConsumer → SKYPE).
 */
import { ianaZoneOf, instantOfWallTime, wallTimeOf } from '../../lib/time-zones';
import { conferenceProviderOfUrl, joinableUrl } from '../conference';
import { seriesSignature } from '../series-signature';
import type { CalendarEvent, ConferenceProvider, EventConference, EventGuest, EventKind, EventTime, ResponseStatus } from '../../model/calendar-event';

export interface GraphEvent {
  id: string;
  '@odata.etag'?: string;
  '@removed'?: { reason?: string };
  iCalUId?: string;
  subject?: string;
  body?: { content?: string };
  location?: { displayName?: string };
  start?: { dateTime: string; timeZone?: string };
  end?: { dateTime: string; timeZone?: string };
  isAllDay?: boolean;
  /** The zone the organizer scheduled the event in; `start`/`end` are rendered in the preferred zone. */
  originalStartTimeZone?: string;
  originalEndTimeZone?: string;
  sensitivity?: string;
  showAs?: string;
  type?: string;
  seriesMasterId?: string | null;
  originalStart?: string | null;
  isCancelled?: boolean;
  isOrganizer?: boolean;
  organizer?: { emailAddress?: { name?: string; address?: string } };
  attendees?: { type?: string; status?: { response?: string }; emailAddress?: { name?: string; address?: string } }[];
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  transactionId?: string | null;
  recurrence?: unknown;
  isOnlineMeeting?: boolean;
  onlineMeetingProvider?: string;
  onlineMeeting?: { joinUrl?: string | null; conferenceId?: string | null } | null;
  onlineMeetingUrl?: string | null;
}

/** Events the CRM creates carry `transactionId` `crm-<meeting id>` or `crmo-<period id>` (write-body.ts). */
export const CRM_TRANSACTION_PREFIX = 'crm-';
export const CRM_OUT_OF_OFFICE_PREFIX = 'crmo-';

const KINDS: Record<string, EventKind> = { singleInstance: 'single', seriesMaster: 'seriesMaster', occurrence: 'occurrence', exception: 'exception' };
const RESPONSES: Record<string, ResponseStatus> = { accepted: 'accepted', organizer: 'accepted', tentativelyAccepted: 'tentative', declined: 'declined' };

type GraphTime = { dateTime: string; timeZone?: string };

const CONFERENCE_PROVIDERS: Record<string, ConferenceProvider> = { teamsForBusiness: 'TEAMS', skypeForBusiness: 'SKYPE', skypeForConsumer: 'SKYPE' };

function mapConference(event: GraphEvent): EventConference | undefined {
  const url = joinableUrl(event.onlineMeeting?.joinUrl) ?? joinableUrl(event.onlineMeetingUrl);
  if (!url) return undefined;
  return { url, provider: CONFERENCE_PROVIDERS[event.onlineMeetingProvider ?? ''] ?? conferenceProviderOfUrl(url) };
}

const DAY_MS = 86_400_000;

/** Graph renders instants without an offset, in the zone it names (UTC unless it says otherwise). */
function instant(time: GraphTime): string {
  if (/[zZ]|[+-]\d\d:\d\d$/.test(time.dateTime)) return new Date(time.dateTime).toISOString();
  return new Date(instantOfWallTime(time.dateTime, ianaZoneOf(time.timeZone) ?? 'UTC')).toISOString();
}

/**
 * The date an all-day boundary falls on. Midnight as rendered is taken as it stands (an all-day event
 * rendered in its own zone, or Graph rendering all-day dates as they are); otherwise it is the local
 * midnight of `eventZone` shown in another zone, so its date in that zone. With no zone known, the
 * nearest midnight: zones lie within about ±12 h of UTC.
 */
function allDayDate(time: GraphTime, eventZone: string | undefined): string {
  if (/T00:00:00(\.0*)?$/.test(time.dateTime)) return time.dateTime.slice(0, 10);
  const ms = Date.parse(instant(time));
  if (eventZone) return wallTimeOf(ms, eventZone).slice(0, 10);
  return new Date(Math.round(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** `zoneName`: Graph's original zone; without one, the zone the time is rendered in is all there is. */
function eventTime(time: GraphTime, zoneName: string | undefined, allDay: boolean): EventTime {
  const timeZone = ianaZoneOf(zoneName ?? time.timeZone);
  return {
    dateTime: allDay ? `${allDayDate(time, timeZone)}T00:00:00.000Z` : instant(time),
    ...(timeZone ? { timeZone } : {}),
    allDay,
  };
}

/** `ownerEmail` (the calendar's owner), when known, marks that guest `self`: Graph has no such flag. */
export function mapGraphEvent(event: GraphEvent, ownerEmail?: string): CalendarEvent {
  if (event['@removed']) {
    return { id: event.id, kind: 'single', status: 'cancelled', removed: true, visibility: 'default', eventType: 'default', guests: [] };
  }
  const organizerAddress = event.organizer?.emailAddress?.address;
  const isSelf = (address: string) => !!ownerEmail && address.trim().toLowerCase() === ownerEmail.trim().toLowerCase();
  const guests: EventGuest[] = (event.attendees ?? []).flatMap((attendee) => {
    const email = attendee.emailAddress?.address;
    if (!email) return [];
    return [{
      email,
      ...(attendee.emailAddress?.name && attendee.emailAddress.name !== email ? { name: attendee.emailAddress.name } : {}),
      response: RESPONSES[attendee.status?.response ?? ''] ?? 'none',
      // Graph does not mark distribution lists among attendees; rooms and equipment are `resource`.
      kind: attendee.type === 'resource' ? 'resource' : 'person',
      organizer: !!organizerAddress && email.toLowerCase() === organizerAddress.toLowerCase(),
      self: isSelf(email),
    } satisfies EventGuest];
  });
  const transactionId = event.transactionId ?? undefined;
  const start = event.start && eventTime(event.start, event.originalStartTimeZone, event.isAllDay === true);
  const end = event.end && eventTime(event.end, event.originalEndTimeZone ?? event.originalStartTimeZone, event.isAllDay === true);
  const originalStart = event.originalStart ?? (event.type === 'occurrence' && event.start ? instant(event.start) : undefined);
  const conference = mapConference(event);
  return {
    id: event.id,
    ...(event.iCalUId ? { iCalUID: event.iCalUId } : {}),
    kind: KINDS[event.type ?? 'singleInstance'] ?? 'single',
    ...(event.seriesMasterId ? { seriesMasterId: event.seriesMasterId } : {}),
    ...(originalStart ? { originalStart: new Date(originalStart).toISOString() } : {}),
    status: event.isCancelled ? 'cancelled' : 'confirmed',
    ...(event.subject ? { title: event.subject } : {}),
    ...(event.body?.content ? { description: event.body.content } : {}),
    ...(event.location?.displayName ? { location: event.location.displayName } : {}),
    ...(start ? { start } : {}),
    ...(end ? { end } : {}),
    ...(event.type === 'seriesMaster' && event.recurrence ? { seriesSignature: seriesSignature(event.recurrence, start, end) } : {}),
    visibility: event.sensitivity === 'private' || event.sensitivity === 'confidential' ? 'private' : 'default',
    eventType: event.showAs === 'oof' ? 'outOfOffice' : 'default',
    ...(organizerAddress
      ? { organizer: { email: organizerAddress, ...(event.organizer?.emailAddress?.name ? { name: event.organizer.emailAddress.name } : {}), self: event.isOrganizer === true || isSelf(organizerAddress) } }
      : {}),
    guests,
    ...(event.createdDateTime ? { createdAt: event.createdDateTime } : {}),
    ...(event.lastModifiedDateTime ? { updatedAt: event.lastModifiedDateTime } : {}),
    ...(transactionId?.startsWith(CRM_TRANSACTION_PREFIX) ? { crmMeetingId: transactionId.slice(CRM_TRANSACTION_PREFIX.length) } : {}),
    ...(transactionId?.startsWith(CRM_OUT_OF_OFFICE_PREFIX) ? { crmOutOfOfficeId: transactionId.slice(CRM_OUT_OF_OFFICE_PREFIX.length) } : {}),
    ...(conference ? { conference } : {}),
  };
}
