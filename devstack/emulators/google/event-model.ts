/**
 * The emulator's stored event and its Google Calendar v3 JSON rendering.
 *
 * One `EventRecord` is shared by every calendar that holds the event (organizer and attendees who
 * are emulator users), as Google shows one event with the same id and iCalUID in each of them. What
 * differs per copy lives in the calendar's `CalendarEntry`: whether it was removed from that calendar,
 * the private extended properties ("private to the copy of the event that appears on this calendar"),
 * and the `self` flags, which rendering derives from the calendar's owner.
 */
import { hangoutLinkOf, type ConferenceData } from './conference';

export type ResponseStatusValue = 'needsAction' | 'declined' | 'tentative' | 'accepted';
export type EventTypeValue = 'default' | 'outOfOffice' | 'focusTime' | 'workingLocation';
export type VisibilityValue = 'default' | 'public' | 'private' | 'confidential';

export interface EventDateTime {
  dateTime?: string;
  date?: string;
  timeZone?: string;
}

export interface Attendee {
  email: string;
  displayName?: string;
  responseStatus: ResponseStatusValue;
  organizer?: boolean;
  resource?: boolean;
  optional?: boolean;
  comment?: string;
}

export interface Person {
  email: string;
  displayName?: string;
}

export interface EventRecord {
  id: string;
  iCalUID: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  summary?: string;
  description?: string;
  location?: string;
  start: EventDateTime;
  end: EventDateTime;
  visibility: VisibilityValue;
  transparency?: 'opaque' | 'transparent';
  eventType: EventTypeValue;
  outOfOfficeProperties?: Record<string, unknown>;
  focusTimeProperties?: Record<string, unknown>;
  workingLocationProperties?: Record<string, unknown>;
  attendees: Attendee[];
  organizer: Person;
  creator: Person;
  created: string;
  updated: string;
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: EventDateTime;
  sharedProperties?: Record<string, string>;
  /** Its Meet (or copied third-party) conference (conference.ts). */
  conferenceData?: ConferenceData;
  sequence: number;
  /** Bumped on every change; the etag. */
  version: number;
}

export interface CalendarEntry {
  record: EventRecord;
  /** Gone from this calendar only (an attendee deleted it, or was removed from the guest list). */
  removed: boolean;
  /** The attendee deleted it themselves: later changes of the event do not bring it back. */
  dismissed?: boolean;
  privateProperties?: Record<string, string>;
  /** Sequence number of this entry's last change in its calendar's change log. */
  seq: number;
}

export const sameEmail = (a: string | undefined, b: string | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** An entry that sync and lists report as a bare deletion. */
export const isGone = (entry: CalendarEntry) => entry.removed || entry.record.status === 'cancelled';

/**
 * The resource as the calendar of `ownerEmail` sees it. Deleted events and cancelled instances come
 * back minimal, as Google lists them: id, status and, for an instance, `recurringEventId` +
 * `originalStartTime`. (Built by assignment, skipping absent fields: this is the hot path of lists.)
 */
export function renderEvent(entry: CalendarEntry, ownerEmail: string, options: { full?: boolean } = {}): Record<string, unknown> {
  const { record } = entry;
  const out: Record<string, unknown> = { kind: 'calendar#event', etag: `"${record.version}"`, id: record.id };
  const gone = isGone(entry);
  if (gone && !options.full) {
    out.status = 'cancelled';
    if (record.recurringEventId) {
      out.recurringEventId = record.recurringEventId;
      out.originalStartTime = record.originalStartTime;
    }
    return out;
  }
  out.status = entry.removed ? 'cancelled' : record.status;
  out.htmlLink = `https://calendar.google.com/calendar/event?eid=${Buffer.from(`${record.id} ${ownerEmail}`).toString('base64url')}`;
  out.created = record.created;
  out.updated = record.updated;
  set(out, 'summary', record.summary);
  set(out, 'description', record.description);
  set(out, 'location', record.location);
  out.creator = withSelf(record.creator, ownerEmail);
  out.organizer = withSelf(record.organizer, ownerEmail);
  out.start = record.start;
  out.end = record.end;
  set(out, 'recurrence', record.recurrence);
  set(out, 'recurringEventId', record.recurringEventId);
  set(out, 'originalStartTime', record.originalStartTime);
  set(out, 'transparency', record.transparency);
  if (record.visibility !== 'default') out.visibility = record.visibility;
  out.iCalUID = record.iCalUID;
  out.sequence = record.sequence;
  if (record.attendees.length) out.attendees = record.attendees.map((attendee) => withSelf(attendee, ownerEmail));
  if (entry.privateProperties || record.sharedProperties) {
    const extended: Record<string, unknown> = {};
    set(extended, 'private', entry.privateProperties);
    set(extended, 'shared', record.sharedProperties);
    out.extendedProperties = extended;
  }
  if (record.conferenceData) {
    out.conferenceData = record.conferenceData;
    set(out, 'hangoutLink', hangoutLinkOf(record.conferenceData));
  }
  out.reminders = { useDefault: true };
  out.eventType = record.eventType;
  set(out, 'outOfOfficeProperties', record.outOfOfficeProperties);
  set(out, 'focusTimeProperties', record.focusTimeProperties);
  set(out, 'workingLocationProperties', record.workingLocationProperties);
  return out;
}

function set(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** A person or attendee, flagged `self` when it is the calendar's owner. */
function withSelf<T extends { email: string }>(person: T, ownerEmail: string): T & { self?: true } {
  return sameEmail(person.email, ownerEmail) ? { ...person, self: true } : person;
}

/** Milliseconds of an event time; an all-day `date` counts from 00:00 UTC (the emulator has no zones). */
export function timeMs(time: EventDateTime | undefined): number {
  if (!time) return Number.NaN;
  return Date.parse(time.dateTime ?? `${time.date}T00:00:00Z`);
}

/** `<masterId>_<YYYYMMDDTHHMMSSZ>` (or `_<YYYYMMDD>` for all-day series), Google's instance id. */
export function instanceId(masterId: string, originalStart: EventDateTime): string {
  if (originalStart.date) return `${masterId}_${originalStart.date.replace(/-/g, '')}`;
  const stamp = new Date(timeMs(originalStart)).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${masterId}_${stamp}`;
}

/** The master id and original start encoded in an instance id, if `id` is one. */
export function parseInstanceId(id: string): { masterId: string; originalStart: EventDateTime } | undefined {
  const match = /^(.+)_(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(id);
  if (!match) return undefined;
  const [, masterId, y, mo, d, h, mi, s] = match;
  if (h === undefined) return { masterId: masterId!, originalStart: { date: `${y}-${mo}-${d}` } };
  return { masterId: masterId!, originalStart: { dateTime: `${y}-${mo}-${d}T${h}:${mi}:${s}Z` } };
}
