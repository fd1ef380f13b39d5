/**
 * Outlook events as Graph shows them, and the conversions between Graph's shapes and the store's.
 * Times are kept as UTC instants and rendered the way Graph does with `Prefer: outlook.timezone="UTC"`:
 * `{ dateTime: "2026-12-01T10:00:00.0000000", timeZone: "UTC" }`.
 */
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
  createdMs: number;
  lastModifiedMs: number;
  version: number;
  /** The mailbox change-log position of its creation: delta rounds older than that never saw it. */
  createdSeq: number;
}

export const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export function graphTime(ms: number): { dateTime: string; timeZone: 'UTC' } {
  return { dateTime: new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000'), timeZone: 'UTC' };
}

/**
 * A Graph `dateTimeTimeZone` as an instant. Only UTC (or an explicit offset) is understood; other
 * zones are refused rather than guessed.
 */
export function parseGraphTime(value: unknown, field: string): number {
  const time = value as { dateTime?: string; timeZone?: string } | undefined;
  if (!time?.dateTime) throw Object.assign(new Error(`${field}.dateTime is required`), { status: 400, code: 'InvalidRequest' });
  const zone = time.timeZone ?? 'UTC';
  if (!['UTC', 'Etc/UTC', 'GMT'].includes(zone) && !/[zZ]|[+-]\d\d:\d\d$/.test(time.dateTime)) {
    throw Object.assign(new Error(`${field}.timeZone ${zone}: this emulator understands UTC only`), { status: 400, code: 'InvalidRequest' });
  }
  const iso = /[zZ]|[+-]\d\d:\d\d$/.test(time.dateTime) ? time.dateTime : `${time.dateTime.replace(/(\.\d{3})\d*$/, '$1')}Z`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw Object.assign(new Error(`${field}.dateTime is not a date-time`), { status: 400, code: 'InvalidRequest' });
  return ms;
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
  if (body.start !== undefined) event.startMs = parseGraphTime(body.start, 'start');
  if (body.end !== undefined) event.endMs = parseGraphTime(body.end, 'end');
  if (body.isAllDay !== undefined) event.isAllDay = Boolean(body.isAllDay);
  if (body.sensitivity !== undefined) event.sensitivity = body.sensitivity as StoredEvent['sensitivity'];
  if (body.showAs !== undefined) event.showAs = body.showAs as StoredEvent['showAs'];
  if (body.recurrence !== undefined) event.recurrence = parseRecurrence(body.recurrence);
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
export function renderOccurrenceStub(view: EventView): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.event',
    '@odata.etag': `W/"${view.event.version}"`,
    id: view.id,
    seriesMasterId: view.event.id,
    type: 'occurrence',
    start: graphTime(view.startMs),
    end: graphTime(view.endMs),
  };
}

export function renderEvent(view: EventView, ownerEmail: string): Record<string, unknown> {
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
    originalStartTimeZone: 'UTC',
    originalEndTimeZone: 'UTC',
    responseStatus: { response: isOrganizer ? 'organizer' : (own?.response ?? 'none'), time: '0001-01-01T00:00:00Z' },
    start: graphTime(view.startMs),
    end: graphTime(view.endMs),
    location: { displayName: event.location, locationType: 'default' },
    recurrence: view.type === 'seriesMaster' ? event.recurrence : null,
    attendees: view.attendees.map((a) => ({ type: a.type, status: { response: a.response, time: '0001-01-01T00:00:00Z' }, emailAddress: { name: a.person.name, address: a.person.address } })),
    organizer: { emailAddress: { name: event.organizer.name, address: event.organizer.address } },
  };
}
