/**
 * Outlook events as Graph shows them, and the conversions between Graph's shapes and the store's.
 * Times are kept as UTC instants with the zone each was given in (a Windows or IANA name, as Graph
 * accepts both), reported as `originalStartTimeZone`/`originalEndTimeZone`. They are rendered in the
 * zone `Prefer: outlook.timezone` names, else in the event's own zone:
 * `{ dateTime: "2026-12-01T10:00:00.0000000", timeZone: "UTC" }`.
 */
import { ianaZoneOf, instantOfWallTime, wallTimeOf } from '../../../lib/time-zones';
import { onlineMeetingAfter, renderOnlineMeeting, type OnlineMeeting } from './online-meetings';
import { parseRecurrence, type Recurrence } from './recurrence';

export type AttendeeType = 'required' | 'optional' | 'resource';
export type GraphResponse = 'none' | 'organizer' | 'tentativelyAccepted' | 'accepted' | 'declined' | 'notResponded';

export interface Person {
  name: string;
  address: string;
}

export interface Attendee {
  type: AttendeeType;
  response: GraphResponse;
  person: Person;
}

/** One change to one occurrence of a series. */
export interface OccurrenceOverride {
  cancelled?: boolean;
  startMs?: number;
  endMs?: number;
  subject?: string;
  attendees?: Attendee[];
  lastModifiedMs: number;
}

export interface StoredEvent {
  id: string;
  iCalUId: string;
  subject: string;
  body: string;
  location: string;
  startMs: number;
  endMs: number;
  /** The zones `start` and `end` were given in, as given. */
  startTimeZone: string;
  endTimeZone: string;
  isAllDay: boolean;
  sensitivity: 'normal' | 'personal' | 'private' | 'confidential';
  showAs: 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';
  recurrence?: Recurrence;
  /** Overrides of single occurrences, by original start (ms). */
  overrides: Map<number, OccurrenceOverride>;
  isCancelled: boolean;
  /** This is the organizer's own event, not an attendee's copy of it. */
  organizerCopy: boolean;
  organizer: Person;
  attendees: Attendee[];
  transactionId?: string;
  /** Its Teams meeting, once `isOnlineMeeting` asked for one (online-meetings.ts). */
  onlineMeeting?: OnlineMeeting;
  createdMs: number;
  lastModifiedMs: number;
  version: number;
  /** The mailbox change-log position of its creation: delta rounds older than that never saw it. */
  createdSeq: number;
}

export const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

const invalid = (message: string) => Object.assign(new Error(message), { status: 400, code: 'InvalidRequest' });

/** An instant as Graph renders it in the zone named `zone` (Windows or IANA): wall time, 7 fractional digits. */
export function graphTime(ms: number, zone: string): { dateTime: string; timeZone: string } {
  return { dateTime: `${wallTimeOf(ms, ianaZoneOf(zone) ?? 'UTC')}0000`, timeZone: zone };
}

/**
 * A Graph `dateTimeTimeZone` as an instant and the zone it was given in. The wall time is read in
 * that zone (Windows or IANA name) unless it carries an offset; an unknown zone is refused, as Graph
 * refuses it.
 */
export function parseGraphTime(value: unknown, field: string): { ms: number; timeZone: string } {
  const time = value as { dateTime?: string; timeZone?: string } | undefined;
  if (!time?.dateTime) throw invalid(`${field}.dateTime is required`);
  const timeZone = time.timeZone ?? 'UTC';
  const zone = ianaZoneOf(timeZone);
  if (!zone) throw invalid(`A valid TimeZone value must be specified. The following TimeZone value is not supported: '${timeZone}'.`);
  const ms = /[zZ]|[+-]\d\d:\d\d$/.test(time.dateTime) ? Date.parse(time.dateTime) : instantOfWallTime(time.dateTime, zone);
  if (Number.isNaN(ms)) throw invalid(`${field}.dateTime is not a date-time`);
  return { ms, timeZone };
}

export function parseAttendees(value: unknown): Attendee[] {
  if (!Array.isArray(value)) throw Object.assign(new Error('attendees must be an array'), { status: 400, code: 'InvalidRequest' });
  return value.map((raw: { type?: AttendeeType; status?: { response?: GraphResponse }; emailAddress?: { name?: string; address?: string } }) => {
    const address = raw.emailAddress?.address;
    if (!address) throw Object.assign(new Error('attendee emailAddress.address is required'), { status: 400, code: 'InvalidRequest' });
    return { type: raw.type ?? 'required', response: raw.status?.response ?? 'none', person: { name: raw.emailAddress?.name ?? address, address } };
  });
}

/** Fields a Graph create/PATCH body may set, applied to a stored event. */
export function applyBody(event: StoredEvent, body: Record<string, unknown>): void {
  if (body.subject !== undefined) event.subject = String(body.subject);
  if (body.body !== undefined) event.body = String((body.body as { content?: string }).content ?? '');
  if (body.location !== undefined) event.location = String((body.location as { displayName?: string }).displayName ?? '');
  if (body.start !== undefined) ({ ms: event.startMs, timeZone: event.startTimeZone } = parseGraphTime(body.start, 'start'));
  if (body.end !== undefined) ({ ms: event.endMs, timeZone: event.endTimeZone } = parseGraphTime(body.end, 'end'));
  if (body.isAllDay !== undefined) event.isAllDay = Boolean(body.isAllDay);
  if (body.sensitivity !== undefined) event.sensitivity = body.sensitivity as StoredEvent['sensitivity'];
  if (body.showAs !== undefined) event.showAs = body.showAs as StoredEvent['showAs'];
  const onlineMeeting = onlineMeetingAfter(event.onlineMeeting, body);
  if (onlineMeeting) event.onlineMeeting = onlineMeeting;
  // After `start`: a series without a zone of its own repeats in its start's zone.
  if (body.recurrence !== undefined) event.recurrence = parseRecurrence(body.recurrence, event.startTimeZone);
  if (body.attendees !== undefined) {
    const previous = new Map(event.attendees.map((a) => [a.person.address.toLowerCase(), a.response]));
    // Guests who stay keep their answers, as Outlook does.
    event.attendees = parseAttendees(body.attendees).map((a) => ({ ...a, response: previous.get(a.person.address.toLowerCase()) ?? a.response }));
  }
  if (event.endMs <= event.startMs) throw Object.assign(new Error('The end must be after the start.'), { status: 400, code: 'ErrorInvalidRequest' });
}

/** An event, or one occurrence of a series, as one calendar's owner sees it. */
export interface EventView {
  id: string;
  event: StoredEvent;
  type: 'singleInstance' | 'seriesMaster' | 'occurrence' | 'exception';
  startMs: number;
  endMs: number;
  originalStartMs?: number;
  cancelled: boolean;
  /** An occurrence its organizer deleted: gone from the organizer's calendar (attendees see it cancelled). */
  deleted?: boolean;
  subject: string;
  attendees: Attendee[];
  lastModifiedMs: number;
}

/** Graph's DateTimeOffset rendering: UTC, no fractional seconds. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * An unmodified occurrence as calendarView delta lists it: only these fields, the rest is the series
 * master's (observed behaviour, microsoft-graph-docs issues #7632 and #22197; GET by id returns it whole).
 */
export function renderOccurrenceStub(view: EventView, zone?: string): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.event',
    '@odata.etag': `W/"${view.event.version}"`,
    id: view.id,
    seriesMasterId: view.event.id,
    type: 'occurrence',
    start: graphTime(view.startMs, zone ?? view.event.startTimeZone),
    end: graphTime(view.endMs, zone ?? view.event.endTimeZone),
  };
}

/** `zone`: the zone `Prefer: outlook.timezone` names; the event's own zone when absent. */
export function renderEvent(view: EventView, ownerEmail: string, zone?: string): Record<string, unknown> {
  const { event } = view;
  const isOrganizer = sameAddress(event.organizer.address, ownerEmail);
  const own = view.attendees.find((a) => sameAddress(a.person.address, ownerEmail));
  return {
    '@odata.etag': `W/"${event.version}"`,
    id: view.id,
    createdDateTime: new Date(event.createdMs).toISOString(),
    lastModifiedDateTime: new Date(view.lastModifiedMs).toISOString(),
    changeKey: `${event.id.slice(-6)}${view.lastModifiedMs}`,
    transactionId: event.transactionId ?? null,
    iCalUId: event.iCalUId,
    subject: view.subject,
    bodyPreview: event.body.slice(0, 255),
    body: { contentType: 'text', content: event.body },
    importance: 'normal',
    sensitivity: event.sensitivity,
    isAllDay: event.isAllDay,
    isCancelled: view.cancelled,
    isOrganizer,
    responseRequested: true,
    seriesMasterId: view.type === 'occurrence' || view.type === 'exception' ? event.id : null,
    showAs: event.showAs,
    type: view.type,
    ...(view.originalStartMs !== undefined ? { originalStart: isoSeconds(view.originalStartMs) } : {}),
    originalStartTimeZone: event.startTimeZone,
    originalEndTimeZone: event.endTimeZone,
    responseStatus: { response: isOrganizer ? 'organizer' : (own?.response ?? 'none'), time: '0001-01-01T00:00:00Z' },
    start: graphTime(view.startMs, zone ?? event.startTimeZone),
    end: graphTime(view.endMs, zone ?? event.endTimeZone),
    location: { displayName: event.location, locationType: 'default' },
    recurrence: view.type === 'seriesMaster' ? event.recurrence : null,
    attendees: view.attendees.map((a) => ({ type: a.type, status: { response: a.response, time: '0001-01-01T00:00:00Z' }, emailAddress: { name: a.person.name, address: a.person.address } })),
    organizer: { emailAddress: { name: event.organizer.name, address: event.organizer.address } },
    ...renderOnlineMeeting(event.onlineMeeting),
  };
}
