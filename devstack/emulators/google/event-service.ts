/**
 * Event operations as the owner of one calendar: what `events.get/insert/patch/delete` do, shared by
 * the HTTP API and the control API (whose user actions send no mail). Organizers change the event
 * for everyone; an attendee may only answer, or delete their copy (which declines, as Google does).
 * Instance ids (`<masterId>_<start>`) of a series address occurrences (recurrence.ts says which
 * starts are occurrences): patching or deleting one creates the exception.
 */
import { randomBytes } from 'node:crypto';
import type { Calendar, CalendarStore } from './calendar-store';
import { conferenceAfter } from './conference';
import { badRequest, GoogleApiError, gone, notFound } from './errors';
import { applyOrganizerPatch, attendeePatchIsAllowed, fieldsForInsert, privatePropertiesOf, responseOf, validateEventId } from './event-input';
import { isGone, parseInstanceId, sameEmail, timeMs, type CalendarEntry, type EventRecord, type Person, type ResponseStatusValue } from './event-model';
import type { Outbox, SendUpdates } from './outbox';
import { occursAt } from './recurrence';

type Body = Record<string, unknown>;

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** A fresh event id: 26 random base32hex characters, like Google's. */
export function newEventId(): string {
  return [...randomBytes(26)].map((byte) => BASE32HEX[byte % 32]).join('');
}

const forbiddenForNonOrganizer = () =>
  new GoogleApiError(403, 'forbiddenForNonOrganizer', 'Shared properties can only be changed by the organizer of the event.');

export class EventService {
  /**
   * Whether deleting a series lists each of its exceptions as cancelled too (`withExceptions`), or
   * only the series itself (`masterOnly`): sync clients must cope with both, so tests can ask for either.
   */
  seriesDeletion: 'withExceptions' | 'masterOnly' = 'withExceptions';

  constructor(
    private readonly store: CalendarStore,
    private readonly outbox: Outbox,
  ) {}

  calendarOf(email: string): Calendar {
    const user = this.store.user(email);
    if (!user) throw new GoogleApiError(404, 'notFound', `Not Found: no calendar for ${email}`);
    return user.calendar;
  }

  get(ownerEmail: string, id: string): CalendarEntry {
    const calendar = this.calendarOf(ownerEmail);
    const entry = calendar.entries.get(id) ?? this.virtualInstance(calendar, id);
    if (!entry || entry.removed) throw notFound();
    return entry;
  }

  /**
   * Inserts as the calendar's owner, who becomes organizer and creator, or as `organizer` (an outside
   * contact's invitation). `conferenceDataVersion` 1 reads `conferenceData` (conference.ts).
   */
  insert(ownerEmail: string, body: Body, options: { sendUpdates?: SendUpdates; organizer?: Person; conferenceDataVersion?: number } = {}): CalendarEntry {
    const { sendUpdates, organizer } = options;
    const calendar = this.calendarOf(ownerEmail);
    const owner = this.store.requireUser(ownerEmail);
    const id = body.id === undefined ? newEventId() : validateEventId(body.id);
    if (calendar.entries.has(id)) throw new GoogleApiError(409, 'duplicate', 'The requested identifier already exists.');
    const me: Person = { email: owner.email, ...(owner.name ? { displayName: owner.name } : {}) };
    const by = organizer ?? me;
    const now = this.store.clock.nextIso();
    const record: EventRecord = {
      id,
      iCalUID: typeof body.iCalUID === 'string' && body.iCalUID ? body.iCalUID : `${id}@google.com`,
      ...fieldsForInsert(body, by),
      organizer: by,
      creator: by,
      created: now,
      updated: now,
      sequence: 0,
      version: 0,
    };
    const conference = conferenceAfter(undefined, body, options.conferenceDataVersion ?? 0);
    if (conference) record.conferenceData = conference;
    if (organizer && !record.attendees.some((a) => sameEmail(a.email, owner.email))) {
      record.attendees.push({ email: owner.email, responseStatus: 'needsAction' }); // an invitation lands with its invitee as guest
    }
    this.store.commit(record);
    const entry = calendar.entries.get(id)!;
    entry.privateProperties = privatePropertiesOf(body);
    this.outbox.recordChange(sendUpdates, undefined, record, owner.email);
    return entry;
  }

  /**
   * `asOrganizer`: the control API acting for an organizer who has no calendar here (an outside
   * contact). `conferenceDataVersion` 1 reads `conferenceData` (conference.ts).
   */
  patch(ownerEmail: string, id: string, body: Body, sendUpdates?: SendUpdates, options: { asOrganizer?: boolean; conferenceDataVersion?: number } = {}): CalendarEntry {
    const calendar = this.calendarOf(ownerEmail);
    const entry = this.entryFor(calendar, id);
    if (entry.removed) throw notFound();
    const record = entry.record;
    const privateProperties = privatePropertiesOf(body, entry.privateProperties);
    if (!options.asOrganizer && !this.isOrganizer(record, ownerEmail)) {
      if (!attendeePatchIsAllowed(body)) throw forbiddenForNonOrganizer();
      const response = responseOf(body, ownerEmail);
      entry.privateProperties = privateProperties;
      if (response) this.answer(record, ownerEmail, response);
      else this.store.commit(record);
      return entry;
    }
    const before = structuredClone(record);
    // Checked before the patch changes anything: a refused conference leaves the event as it was.
    const conference = conferenceAfter(record.conferenceData, body, options.conferenceDataVersion ?? 0);
    const moved = applyOrganizerPatch(record, body);
    if (conference) record.conferenceData = conference;
    else delete record.conferenceData;
    entry.privateProperties = privateProperties;
    this.store.commit(record, { sequenceBump: moved });
    this.outbox.recordChange(sendUpdates, before, record, ownerEmail);
    return entry;
  }

  /** Organizer: cancels the event (a series with its exceptions). Attendee: declines and drops their copy. */
  remove(ownerEmail: string, id: string, sendUpdates?: SendUpdates, options: { asOrganizer?: boolean } = {}): void {
    const calendar = this.calendarOf(ownerEmail);
    const entry = this.entryFor(calendar, id);
    if (isGone(entry)) throw gone();
    const record = entry.record;
    if (!options.asOrganizer && !this.isOrganizer(record, ownerEmail)) {
      entry.removed = true;
      entry.dismissed = true;
      this.store.logLocal(calendar, entry);
      this.answer(record, ownerEmail, 'declined');
      return;
    }
    const before = structuredClone(record);
    record.status = 'cancelled';
    this.store.commit(record, { sequenceBump: true });
    for (const instanceId of calendar.instances.get(record.id) ?? []) {
      const instance = calendar.entries.get(instanceId)!.record;
      if (instance.status === 'cancelled') continue;
      instance.status = 'cancelled';
      if (this.seriesDeletion === 'withExceptions') this.store.commit(instance, { sequenceBump: true });
    }
    this.outbox.recordChange(sendUpdates, before, undefined, ownerEmail);
  }

  /** Sets one attendee's answer; it shows in every copy of the event. */
  answer(record: EventRecord, attendeeEmail: string, response: ResponseStatusValue): void {
    const attendee = record.attendees.find((a) => sameEmail(a.email, attendeeEmail));
    if (!attendee) throw badRequest(`${attendeeEmail} is not a guest of event ${record.id}`);
    attendee.responseStatus = response;
    this.store.commit(record);
  }

  private isOrganizer(record: EventRecord, email: string): boolean {
    return sameEmail(record.organizer.email, email);
  }

  /** The calendar's entry for `id`, creating the exception when `id` names an occurrence. */
  entryFor(calendar: Calendar, id: string): CalendarEntry {
    const existing = calendar.entries.get(id);
    if (existing) return existing;
    const virtual = this.virtualInstance(calendar, id);
    if (!virtual) throw notFound();
    this.store.commit(virtual.record);
    const entry = calendar.entries.get(id)!;
    entry.privateProperties = virtual.privateProperties;
    return entry;
  }

  /** An unmodified occurrence of a series in this calendar, as an unsaved exception. */
  private virtualInstance(calendar: Calendar, id: string): CalendarEntry | undefined {
    const parsed = parseInstanceId(id);
    const master = parsed && calendar.entries.get(parsed.masterId);
    if (!parsed || !master?.record.recurrence || !!master.record.start.date !== !!parsed.originalStart.date) return undefined;
    const series = master.record;
    const duration = timeMs(series.end) - timeMs(series.start);
    const zone = series.start.timeZone ? { timeZone: series.start.timeZone } : {};
    const originalStartTime = { ...parsed.originalStart, ...zone };
    // An id naming no occurrence (a series repeated in UTC instead of its zone, say) is no instance.
    if (timeMs(originalStartTime) < timeMs(series.start) || occursAt(series, parsed.originalStart) === false) return undefined;
    const end = parsed.originalStart.date
      ? { date: new Date(timeMs(originalStartTime) + duration).toISOString().slice(0, 10), ...zone }
      : { dateTime: new Date(timeMs(originalStartTime) + duration).toISOString().replace('.000Z', 'Z'), ...zone };
    const record: EventRecord = {
      ...structuredClone(series),
      id,
      recurrence: undefined,
      recurringEventId: series.id,
      originalStartTime,
      start: originalStartTime,
      end,
    };
    delete record.recurrence;
    return { record, removed: master.removed, seq: master.seq, privateProperties: master.privateProperties };
  }
}
