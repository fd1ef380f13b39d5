/**
 * Creating, changing and deleting events, shared by the Graph routes (as the signed-in user) and
 * the control API (as the user in Outlook, or as an outside organizer). The organizer's changes reach
 * every attendee who has a mailbox here; Outlook mails the guests itself (recorded in the outbox)
 * when a change comes through Graph.
 */
import { ianaZoneOf, wallTimeOf } from '../../../lib/time-zones';
import { applyBody, parseGraphTime, sameAddress, type Attendee, type GraphResponse, type OccurrenceOverride, type StoredEvent } from './event-model';
import { occurrenceId, occurrences, type Mailbox, type MailboxStore } from './mailboxes';

export type MailKind = 'invitation' | 'update' | 'cancellation';

export interface OutboxMessage {
  to: string;
  eventId: string;
  kind: MailKind;
  subject: string;
}

const notFound = (id: string) => Object.assign(new Error(`The specified object was not found in the store (${id}).`), { status: 404, code: 'ErrorItemNotFound' });
const forbidden = () => Object.assign(new Error('Only the organizer can change this meeting for everyone.'), { status: 403, code: 'ErrorAccessDenied' });

export interface EventServiceOptions {
  /**
   * Exchange records an organizer's cancelled occurrence on the series itself, so the master gets a
   * new `lastModifiedDateTime` and change notification (microsoft-graph-docs #5520: "removal of a
   * recurring event instance causes only update notification on the SeriesMaster event"); other
   * reports see the master untouched. `true` models the first.
   */
  cancellationModifiesMaster: boolean;
}

export const DEFAULT_EVENT_OPTIONS: EventServiceOptions = { cancellationModifiesMaster: false };

/**
 * Graph's rule for an all-day event: "start and end time must be set to midnight and be in the same
 * time zone", single-day or multi-day (event resource, `isAllDay`:
 * https://learn.microsoft.com/en-us/graph/api/resources/event?view=graph-rest-1.0). Graph answers 400.
 */
function checkAllDay(event: StoredEvent): void {
  if (!event.isAllDay) return;
  const zone = ianaZoneOf(event.startTimeZone) ?? 'UTC';
  const atMidnight = (ms: number) => wallTimeOf(ms, zone).endsWith('T00:00:00.000');
  if (zone !== (ianaZoneOf(event.endTimeZone) ?? 'UTC') || !atMidnight(event.startMs) || !atMidnight(event.endMs)) {
    throw Object.assign(new Error('An all-day event must start and end at midnight, in the same time zone.'), { status: 400, code: 'ErrorInvalidRequest' });
  }
}

export class EventService {
  readonly outbox: OutboxMessage[] = [];
  readonly options: EventServiceOptions = { ...DEFAULT_EVENT_OPTIONS };

  constructor(private readonly store: MailboxStore) {}

  /** Creates an event the mailbox's owner organizes (or, with `organizer`, one they were invited to). */
  create(mailbox: Mailbox, body: Record<string, unknown>, options: { mail: boolean; organizer?: { name: string; address: string } }): StoredEvent {
    const transactionId = typeof body.transactionId === 'string' ? body.transactionId : undefined;
    if (transactionId) {
      // Graph's idempotency: the same transactionId returns the event it created, nothing more.
      const existing = [...mailbox.events.values()].find((e) => e.transactionId === transactionId);
      if (existing) return existing;
    }
    const organizer = options.organizer ?? { name: mailbox.name, address: mailbox.email };
    // The times are checked before anything else; applyBody sets them (and their zones) with the rest.
    const event = this.store.newEvent({ startMs: parseGraphTime(body.start, 'start').ms, endMs: parseGraphTime(body.end, 'end').ms, organizer, organizerCopy: !options.organizer });
    applyBody(event, body);
    checkAllDay(event);
    event.transactionId = transactionId;
    if (options.organizer && !event.attendees.some((a) => sameAddress(a.person.address, mailbox.email))) {
      event.attendees.push({ type: 'required', response: 'none', person: { name: mailbox.name, address: mailbox.email } });
    }
    mailbox.events.set(event.id, event);
    this.store.touch(mailbox, event.id, 'created');
    if (options.mail) this.mail(event, event.attendees, 'invitation');
    this.propagate(event, mailbox);
    return event;
  }

  /** Changes an event, a whole series (by its master's id), or one occurrence (by its id: it becomes an exception). */
  patch(mailbox: Mailbox, id: string, body: Record<string, unknown>, options: { mail: boolean; asOrganizer?: boolean }): void {
    const occurrence = this.occurrenceOf(mailbox, id);
    if (occurrence) {
      const { master, originalStart } = occurrence;
      if (!options.asOrganizer && !this.store.isOrganizer(mailbox, master)) throw forbidden();
      const view = this.store.view(mailbox, id)!;
      const startMs = body.start !== undefined ? parseGraphTime(body.start, 'start').ms : undefined;
      const endMs = body.end !== undefined ? parseGraphTime(body.end, 'end').ms : startMs !== undefined ? startMs + (view.endMs - view.startMs) : undefined;
      this.overrideOccurrence(mailbox, master.id, originalStart, {
        ...(startMs !== undefined ? { startMs, endMs } : {}),
        ...(body.subject !== undefined ? { subject: String(body.subject) } : {}),
      });
      if (options.mail) this.mail(master, view.attendees, 'update');
      return;
    }
    const event = this.require(mailbox, id);
    const organizerChange = ['subject', 'body', 'location', 'start', 'end', 'attendees', 'recurrence', 'isAllDay', 'isOnlineMeeting'].some((k) => body[k] !== undefined);
    if (organizerChange && !options.asOrganizer && !this.store.isOrganizer(mailbox, event)) throw forbidden();
    const before = new Set(event.attendees.map((a) => a.person.address.toLowerCase()));
    const previous = event.attendees;
    const timeOrPlace = body.start !== undefined || body.end !== undefined || body.location !== undefined || body.subject !== undefined;
    const instancesBefore = event.recurrence ? occurrences(event).map((o) => o.id) : [];
    // Checked on a copy first: a refused patch leaves the event as it was.
    const next = { ...event };
    applyBody(next, body);
    checkAllDay(next);
    applyBody(event, body);
    const dropped = previous.filter((a) => !event.attendees.some((now) => sameAddress(now.person.address, a.person.address)));
    this.bump(event);
    this.store.touch(mailbox, event.id, 'updated');
    // Instance ids carry their original start: a rescheduled series' old instances are gone, and
    // delta reports them removed (as Graph does when a series moves).
    const instancesNow = new Set(event.recurrence ? occurrences(event).map((o) => o.id) : []);
    for (const id of instancesBefore) if (!instancesNow.has(id)) this.store.touch(mailbox, id, 'deleted');
    if (options.mail) {
      const added = event.attendees.filter((a) => !before.has(a.person.address.toLowerCase()));
      this.mail(event, added, 'invitation');
      if (timeOrPlace) this.mail(event, event.attendees.filter((a) => !added.includes(a)), 'update');
      this.mail(event, dropped, 'cancellation');
    }
    if (organizerChange) this.propagate(event, mailbox);
  }

  /** The organizer turns the Teams meeting off in Outlook (Graph cannot: online-meetings.ts); every copy loses it. */
  removeOnlineMeeting(mailbox: Mailbox, id: string): void {
    const event = this.require(mailbox, id);
    if (!this.store.isOrganizer(mailbox, event)) throw forbidden();
    if (!event.onlineMeeting) return;
    delete event.onlineMeeting;
    this.bump(event);
    this.store.touch(mailbox, event.id, 'updated');
    this.propagate(event, mailbox);
  }

  /** The organizer cancels the meeting for everyone; an attendee removes their copy (declining). */
  remove(mailbox: Mailbox, id: string, options: { mail: boolean; asOrganizer?: boolean }): void {
    const occurrence = this.occurrenceOf(mailbox, id);
    if (occurrence) {
      // Deleting one occurrence cancels it (the organizer's) or removes it from this calendar (a guest's).
      const attendees = this.store.view(mailbox, id)!.attendees;
      this.overrideOccurrence(mailbox, occurrence.master.id, occurrence.originalStart, { cancelled: true });
      if (options.mail && occurrence.master.organizerCopy) this.mail(occurrence.master, attendees, 'cancellation');
      return;
    }
    const event = this.require(mailbox, id);
    mailbox.events.delete(id);
    mailbox.deleted.set(id, event);
    this.store.touch(mailbox, id, 'deleted');
    if (options.asOrganizer || this.store.isOrganizer(mailbox, event)) {
      if (options.mail) this.mail(event, event.attendees, 'cancellation');
      this.forEachCopy(event, mailbox, (copyBox, copy) => {
        copy.isCancelled = true;
        this.bump(copy);
        this.store.touch(copyBox, copy.id, 'updated');
      });
    } else {
      this.answer(event, mailbox.email, 'declined');
    }
  }

  /** An outside organizer cancelled the meeting: every copy stays, marked cancelled. */
  cancel(mailbox: Mailbox, id: string): void {
    const event = this.require(mailbox, id);
    for (const box of this.store.all()) {
      const copy = box === mailbox ? event : this.store.copyOf(box, event.iCalUId);
      if (!copy || copy.isCancelled) continue;
      copy.isCancelled = true;
      this.bump(copy);
      this.store.touch(box, copy.id, 'updated');
    }
  }

  /**
   * One occurrence of a series: cancel it, move it, or change it. The organizer's change reaches every
   * attendee's copy; an attendee's only their own.
   */
  overrideOccurrence(mailbox: Mailbox, masterId: string, originalStart: string, change: Omit<OccurrenceOverride, 'lastModifiedMs'>): string {
    const master = this.require(mailbox, masterId);
    if (!master.recurrence) throw Object.assign(new Error(`${masterId} is not a series`), { status: 400, code: 'ErrorInvalidRequest' });
    const originalStartMs = Date.parse(originalStart);
    const id = occurrenceId(masterId, originalStartMs);
    if (!this.store.view(mailbox, id)) throw Object.assign(new Error(`the series has no occurrence at ${originalStart}`), { status: 404, code: 'ErrorItemNotFound' });
    const lastModifiedMs = this.store.clock.nextMs();
    const apply = (box: Mailbox, series: StoredEvent) => {
      series.overrides.set(originalStartMs, { ...series.overrides.get(originalStartMs), ...change, lastModifiedMs });
      if (change.cancelled && this.options.cancellationModifiesMaster) {
        this.bump(series);
        this.store.touch(box, series.id, 'updated');
      }
      this.store.touch(box, occurrenceId(series.id, originalStartMs), change.cancelled && series.organizerCopy ? 'deleted' : 'updated');
    };
    apply(mailbox, master);
    if (master.organizerCopy) this.forEachCopy(master, mailbox, apply);
    return id;
  }

  /** `address` answers the meeting, in the organizer's event and in the copies. */
  answer(event: StoredEvent, address: string, response: GraphResponse): void {
    const holders = this.store.all().flatMap((box) => [...box.events.values()].filter((e) => e.iCalUId === event.iCalUId).map((e) => [box, e] as const));
    for (const [box, copy] of holders) {
      const attendee = copy.attendees.find((a) => sameAddress(a.person.address, address));
      if (!attendee || attendee.response === response) continue;
      attendee.response = response;
      this.bump(copy);
      this.store.touch(box, copy.id, 'updated');
    }
  }

  /** The series and original start of an occurrence id of this mailbox; undefined for anything else. */
  private occurrenceOf(mailbox: Mailbox, id: string): { master: StoredEvent; originalStart: string } | undefined {
    if (mailbox.events.has(id)) return undefined;
    const view = this.store.view(mailbox, id);
    return view?.originalStartMs !== undefined ? { master: view.event, originalStart: new Date(view.originalStartMs).toISOString() } : undefined;
  }

  require(mailbox: Mailbox, id: string): StoredEvent {
    const event = mailbox.events.get(id);
    if (!event) throw notFound(id);
    return event;
  }

  private bump(event: StoredEvent): void {
    event.version += 1;
    event.lastModifiedMs = this.store.clock.nextMs();
  }

  private mail(event: StoredEvent, to: Attendee[], kind: MailKind): void {
    for (const attendee of to) {
      if (attendee.type === 'resource' || sameAddress(attendee.person.address, event.organizer.address)) continue;
      this.outbox.push({ to: attendee.person.address.toLowerCase(), eventId: event.id, kind, subject: event.subject });
    }
  }

  private forEachCopy(event: StoredEvent, origin: Mailbox, visit: (box: Mailbox, copy: StoredEvent) => void): void {
    for (const box of this.store.all()) {
      if (box === origin) continue;
      const copy = this.store.copyOf(box, event.iCalUId);
      if (copy) visit(box, copy);
    }
  }

  /** Brings every attendee-user's copy in line with the organizer's event. */
  private propagate(event: StoredEvent, origin: Mailbox): void {
    const invited = new Set(event.attendees.map((a) => a.person.address.toLowerCase()));
    for (const box of this.store.all()) {
      if (box === origin || sameAddress(box.email, event.organizer.address)) continue;
      const copy = this.store.copyOf(box, event.iCalUId);
      if (!invited.has(box.email)) {
        if (copy && !copy.isCancelled) {
          copy.isCancelled = true; // removed from the meeting: Outlook cancels their copy
          this.bump(copy);
          this.store.touch(box, copy.id, 'updated');
        }
        continue;
      }
      const target = copy ?? this.store.newEvent({ startMs: event.startMs, endMs: event.endMs, organizer: event.organizer, iCalUId: event.iCalUId, organizerCopy: false });
      Object.assign(target, {
        subject: event.subject,
        body: event.body,
        location: event.location,
        startMs: event.startMs,
        endMs: event.endMs,
        startTimeZone: event.startTimeZone,
        endTimeZone: event.endTimeZone,
        isAllDay: event.isAllDay,
        sensitivity: event.sensitivity,
        recurrence: event.recurrence,
        overrides: new Map([...event.overrides].map(([at, override]) => [at, { ...override }])),
        isCancelled: event.isCancelled,
        attendees: event.attendees.map((a) => ({ ...a, person: { ...a.person } })),
        onlineMeeting: event.onlineMeeting && { ...event.onlineMeeting },
      });
      if (copy) this.bump(copy);
      box.events.set(target.id, target);
      this.store.touch(box, target.id, copy ? 'updated' : 'created');
    }
  }
}
