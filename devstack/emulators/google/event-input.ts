/**
 * Validation of event bodies sent to `events.insert`/`events.patch` (and the control API), with the
 * 400s Google answers. Patch semantics: top-level fields replace, `start`/`end`/`extendedProperties`
 * merge key by key, `null` clears; read-only fields (id, created, updated, organizer, …) are ignored.
 */
import { instantOfWallTime, isIanaZone } from '../../../lib/time-zones';
import { badRequest } from './errors';
import type { Attendee, EventDateTime, EventRecord, Person } from './event-model';
import { timeMs } from './event-model';

const EVENT_TYPES = ['default', 'outOfOffice', 'focusTime', 'workingLocation'] as const;
const VISIBILITIES = ['default', 'public', 'private', 'confidential'] as const;
const STATUSES = ['confirmed', 'tentative', 'cancelled'] as const;
const RESPONSES = ['needsAction', 'declined', 'tentative', 'accepted'] as const;

/** Google's rule for client-chosen ids: base32hex characters (a-v, 0-9), 5 to 1024 of them. */
export function validateEventId(id: unknown): string {
  if (typeof id !== 'string' || !/^[a-v0-9]{5,1024}$/.test(id)) throw badRequest('Invalid resource id value.');
  return id;
}

type Body = Record<string, unknown>;

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) throw badRequest(`Invalid value for: ${field}`);
  return value as T;
}

function text(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`Invalid value for: ${field}`);
  return value;
}

/** A validated event time; a local `dateTime` without offset is resolved in its `timeZone`. */
export function parseTime(value: unknown, field: 'start' | 'end' | 'originalStartTime'): EventDateTime {
  if (!value || typeof value !== 'object') throw badRequest(`Missing ${field === 'end' ? 'end' : 'start'} time.`, 'required');
  // JSON `null` is an unset field, as Google reads it: `{ date, dateTime: null }` is an all-day time.
  const { dateTime, date, timeZone } = value as Body;
  const zone = text(timeZone, `${field}.timeZone`);
  if (zone !== undefined && !isIanaZone(zone)) throw badRequest(`Invalid time zone definition for ${field} time.`);
  if (typeof date === 'string' && (dateTime === undefined || dateTime === null)) {
    // A real calendar day: Date.parse alone takes 2026-02-30 for 2 March.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date)) || new Date(date).toISOString().slice(0, 10) !== date) {
      throw badRequest(`Invalid value for: ${field}.date`);
    }
    return { date, ...(zone ? { timeZone: zone } : {}) };
  }
  if (typeof dateTime !== 'string' || (date !== undefined && date !== null)) throw badRequest(`Missing ${field} time.`, 'required');
  const hasOffset = /(Z|[+-]\d{2}:\d{2})$/i.test(dateTime);
  if (!hasOffset && !zone) throw badRequest(`Missing time zone definition for ${field} time.`);
  const localMs = hasOffset ? Number.NaN : instantOfWallTime(dateTime, zone!);
  const resolved = hasOffset || Number.isNaN(localMs) ? dateTime : new Date(localMs).toISOString().replace('.000Z', 'Z');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(resolved) || Number.isNaN(Date.parse(resolved))) throw badRequest(`Invalid value for: ${field}.dateTime`);
  return { dateTime: resolved, ...(zone ? { timeZone: zone } : {}) };
}

function parseAttendees(value: unknown, organizer: Person): Attendee[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest('Invalid value for: attendees');
  const seen = new Set<string>();
  const attendees: Attendee[] = [];
  for (const raw of value as Body[]) {
    const email = text(raw?.email, 'attendees.email')?.trim();
    if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) throw badRequest('Invalid attendee email.');
    if (seen.has(email.toLowerCase())) continue;
    seen.add(email.toLowerCase());
    const isOrganizer = email.toLowerCase() === organizer.email.toLowerCase();
    attendees.push(strip({
      email,
      displayName: text(raw.displayName, 'attendees.displayName'),
      responseStatus: oneOf(raw.responseStatus, RESPONSES, 'attendees.responseStatus') ?? (isOrganizer ? 'accepted' : 'needsAction'),
      organizer: isOrganizer || undefined,
      resource: raw.resource === true || undefined,
      optional: raw.optional === true || undefined,
      comment: text(raw.comment, 'attendees.comment'),
    }));
  }
  return attendees;
}

function stringMap(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`Invalid value for: ${field}`);
  const entries = Object.entries(value as Body).filter(([, v]) => v !== null);
  if (entries.some(([, v]) => typeof v !== 'string')) throw badRequest(`Invalid value for: ${field}`);
  return entries.length ? Object.fromEntries(entries) as Record<string, string> : undefined;
}

const objectOrUndefined = (value: unknown) => (value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined);

function strip<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

/** Merges a patch object into a current one: keys replace, `null` deletes. */
function mergeObject<T extends object>(current: T | undefined, patch: unknown): Body {
  const merged: Body = { ...(current ?? {}) };
  for (const [key, value] of Object.entries((patch ?? {}) as Body)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

function mergeTime(current: EventDateTime, patch: unknown): Body {
  const merged = mergeObject(current, patch);
  const p = (patch ?? {}) as Body;
  if (p.dateTime !== undefined && p.date === undefined) delete merged.date;
  if (p.date !== undefined && p.dateTime === undefined) delete merged.dateTime;
  return merged;
}

function checkTimes(record: Pick<EventRecord, 'start' | 'end' | 'eventType'>): void {
  if (!!record.start.date !== !!record.end.date) throw badRequest('Start and end times must either both be date or both be dateTime.');
  if (timeMs(record.end) < timeMs(record.start)) throw badRequest('The specified time range is empty.', 'timeRangeEmpty');
  if (record.eventType !== 'default' && record.eventType !== 'workingLocation' && record.start.date) {
    throw badRequest(`A ${record.eventType} event cannot be an all-day event.`);
  }
}

/** The fields of a new event from an insert body; identity and timestamps are the caller's. */
export function fieldsForInsert(body: Body, organizer: Person) {
  const eventType = oneOf(body.eventType, EVENT_TYPES, 'eventType') ?? 'default';
  const fields = {
    status: oneOf(body.status, STATUSES, 'status') ?? 'confirmed',
    summary: text(body.summary, 'summary'),
    description: text(body.description, 'description'),
    location: text(body.location, 'location'),
    start: parseTime(body.start, 'start'),
    end: parseTime(body.end, 'end'),
    visibility: oneOf(body.visibility, VISIBILITIES, 'visibility') ?? 'default',
    transparency: oneOf(body.transparency, ['opaque', 'transparent'] as const, 'transparency'),
    eventType,
    outOfOfficeProperties: eventType === 'outOfOffice' ? objectOrUndefined(body.outOfOfficeProperties) ?? {} : undefined,
    focusTimeProperties: eventType === 'focusTime' ? objectOrUndefined(body.focusTimeProperties) ?? {} : undefined,
    workingLocationProperties: eventType === 'workingLocation' ? objectOrUndefined(body.workingLocationProperties) ?? {} : undefined,
    attendees: parseAttendees(body.attendees, organizer),
    recurrence: parseRecurrence(body.recurrence),
    sharedProperties: stringMap(objectOrUndefined(body.extendedProperties)?.shared, 'extendedProperties.shared'),
  };
  checkTimes(fields);
  return strip(fields);
}

function parseRecurrence(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((line) => typeof line !== 'string' || !/^(RRULE|EXRULE|RDATE|EXDATE)[:;]/.test(line))) {
    throw badRequest('Invalid recurrence rule.');
  }
  return value.length ? (value as string[]) : undefined;
}

export function privatePropertiesOf(body: Body, current?: Record<string, string>): Record<string, string> | undefined {
  const patch = objectOrUndefined(body.extendedProperties)?.private;
  if (patch === undefined) return current;
  if (patch === null) return undefined;
  return stringMap(mergeObject(current, patch), 'extendedProperties.private');
}

/** Applies an organizer's patch in place. Returns whether the time or place moved (a new `sequence`). */
export function applyOrganizerPatch(record: EventRecord, body: Body): boolean {
  const before = JSON.stringify([record.start, record.end, record.location, record.recurrence, record.status]);
  const has = (key: string) => Object.prototype.hasOwnProperty.call(body, key);
  if (has('eventType') && (body.eventType ?? 'default') !== record.eventType) throw badRequest('The event type cannot be changed.', 'eventTypeRestriction');
  const next: EventRecord = { ...record };
  if (has('status')) next.status = oneOf(body.status, STATUSES, 'status') ?? 'confirmed';
  for (const key of ['summary', 'description', 'location'] as const) if (has(key)) next[key] = text(body[key], key);
  if (has('start')) next.start = parseTime(mergeTime(record.start, body.start), 'start');
  if (has('end')) next.end = parseTime(mergeTime(record.end, body.end), 'end');
  if (has('visibility')) next.visibility = oneOf(body.visibility, VISIBILITIES, 'visibility') ?? 'default';
  if (has('transparency')) next.transparency = oneOf(body.transparency, ['opaque', 'transparent'] as const, 'transparency');
  if (has('attendees')) next.attendees = parseAttendees(body.attendees, record.organizer);
  if (has('recurrence') && !record.recurringEventId) next.recurrence = parseRecurrence(body.recurrence);
  if (has('outOfOfficeProperties') && record.eventType === 'outOfOffice') next.outOfOfficeProperties = objectOrUndefined(body.outOfOfficeProperties) ?? {};
  const shared = objectOrUndefined(body.extendedProperties)?.shared;
  if (shared !== undefined) next.sharedProperties = shared === null ? undefined : stringMap(mergeObject(record.sharedProperties, shared), 'extendedProperties.shared');
  checkTimes(next);
  Object.assign(record, strip(next));
  for (const key of ['summary', 'description', 'location', 'transparency', 'recurrence', 'sharedProperties'] as const) {
    if (next[key] === undefined) delete record[key];
  }
  return JSON.stringify([record.start, record.end, record.location, record.recurrence, record.status]) !== before;
}

/** The fields an attendee may change on their copy: their own response (and private properties). */
export function attendeePatchIsAllowed(body: Body): boolean {
  const allowed = new Set(['attendees', 'extendedProperties', 'reminders', 'colorId', 'transparency', 'id', 'kind', 'etag']);
  const extended = objectOrUndefined(body.extendedProperties);
  return Object.keys(body).every((key) => allowed.has(key)) && !(extended && extended.shared !== undefined);
}

export function responseOf(body: Body, email: string): Attendee['responseStatus'] | undefined {
  if (!Array.isArray(body.attendees)) return undefined;
  const mine = (body.attendees as Body[]).find((a) => typeof a?.email === 'string' && a.email.toLowerCase() === email.toLowerCase());
  return mine ? oneOf(mine.responseStatus, RESPONSES, 'attendees.responseStatus') : undefined;
}
