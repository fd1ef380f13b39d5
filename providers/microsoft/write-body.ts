/**
 * What the CRM writes, as Graph event bodies. Pure.
 */
import crypto from 'node:crypto';
import { ianaZoneOf, wallTimeOf } from '../../lib/time-zones';
import type { EventTime } from '../../model/calendar-event';
import type { CreateEventOptions, EventInput } from '../types';
import { CRM_OUT_OF_OFFICE_PREFIX, CRM_TRANSACTION_PREFIX } from './map-event';

/** Graph documents no length limit for `transactionId`; stay short anyway (ids here are UUIDs: 41 chars). */
const MAX_TRANSACTION_ID = 64;
/** Other writes must not read back as a CRM record. */
const OTHER_WRITE_PREFIX = 'crmw-';

/**
 * The `transactionId` that makes a create idempotent: Graph returns the event it already created for
 * it instead of a second one (and Outlook sends no second invitation). A CRM record's event carries
 * the record's id (`crm-<meeting id>`, `crmo-<period id>`) so the sync loop recognises it
 * (map-event.ts); the activities pass that id as `clientId` too.
 */
export function transactionIdFor(options: CreateEventOptions): string {
  const id = options.crmMeetingId !== undefined
    ? `${CRM_TRANSACTION_PREFIX}${options.crmMeetingId}`
    : options.crmOutOfOfficeId !== undefined
      ? `${CRM_OUT_OF_OFFICE_PREFIX}${options.crmOutOfOfficeId}`
      : `${OTHER_WRITE_PREFIX}${options.clientId}`;
  if (id.length <= MAX_TRANSACTION_ID) return id;
  // Unreachable with the service's ids; stays idempotent but no longer names the record.
  return `${OTHER_WRITE_PREFIX}${crypto.createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

/**
 * A time as Graph's `dateTimeTimeZone`: the wall-clock time in the event's IANA zone, named as it is
 * (Graph takes IANA names as well as Windows ones), so Outlook and the invitations show that zone;
 * UTC when there is none, or one this runtime cannot name. An all-day boundary is midnight of its
 * date in that zone.
 */
function graphTime(time: EventTime): { dateTime: string; timeZone: string } {
  const timeZone = ianaZoneOf(time.timeZone) ?? 'UTC';
  if (time.allDay) return { dateTime: `${time.dateTime.slice(0, 10)}T00:00:00`, timeZone };
  return { dateTime: wallTimeOf(Date.parse(time.dateTime), timeZone), timeZone };
}

/**
 * A created event's Teams meeting. Graph makes it with the event, so the create's `transactionId`
 * keeps it to one under retries. Never sent in a PATCH: once on, "Outlook ignores any further changes
 * to isOnlineMeeting" (event resource), and a CRM edit is no request for a meeting.
 */
export function onlineMeetingFields(input: Pick<EventInput, 'conference' | 'outOfOffice'>): Record<string, unknown> {
  return input.conference && !input.outOfOffice ? { isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' } : {};
}

/** The Graph fields for the given (possibly partial) input; absent fields are left alone by a PATCH. */
export function graphEventBody(input: Partial<EventInput>): Record<string, unknown> {
  return {
    ...(input.title !== undefined ? { subject: input.title } : {}),
    ...(input.description !== undefined ? { body: { contentType: 'text', content: input.description } } : {}),
    ...(input.location !== undefined ? { location: { displayName: input.location } } : {}),
    ...(input.start ? { start: graphTime(input.start), isAllDay: input.start.allDay === true } : {}),
    ...(input.end ? { end: graphTime(input.end) } : {}),
    ...(input.attendees
      ? { attendees: input.attendees.map((a) => ({ type: 'required', emailAddress: { address: a.email, ...(a.name ? { name: a.name } : {}) } })) }
      : {}),
    // An away block invites nobody; Outlook shows `oof` as "Away".
    ...(input.outOfOffice ? { showAs: 'oof', attendees: [] } : {}),
  };
}
