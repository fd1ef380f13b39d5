/**
 * Users' mailboxes and their calendars: events, series expanded into occurrences, and a change log
 * that delta tokens index. Copies of one meeting in several users' calendars share the iCalUId but
 * have their own ids, as in Exchange; the organizer's changes reach every copy. `snapshot`/`restore`
 * carry all of it, delta token positions included, across a restart.
 */
import crypto from 'node:crypto';
import { MonotonicClock } from '../shared/monotonic-clock';
import { sameAddress, type Attendee, type EventView, type OccurrenceOverride, type Person, type StoredEvent } from './event-model';
import { expandRecurrence } from './recurrence';

export interface Mailbox {
  email: string;
  name: string;
  oid: string;
  events: Map<string, StoredEvent>;
  /** Deleted events, kept so a later delta can say which ids (occurrences too) are gone. */
  deleted: Map<string, StoredEvent>;
  log: { seq: number; id: string }[];
  seq: number;
  /** Bumped to invalidate every delta token of this mailbox. */
  epoch: number;
}

/** Occurrence ids name their series and original start (opaque to clients, as Graph's are). */
export const occurrenceId = (masterId: string, originalStartMs: number) => `${masterId}_OCC${new Date(originalStartMs).toISOString().replace(/[-:.]/g, '').slice(0, 15)}`;

/**
 * An event as saved: its occurrence overrides as `[original start, override]` pairs. State saved
 * before events kept their zones has none: those were UTC, the only zone understood then.
 */
type SavedEvent = Omit<StoredEvent, 'overrides' | 'startTimeZone' | 'endTimeZone'> & {
  overrides: [number, OccurrenceOverride][];
  startTimeZone?: string;
  endTimeZone?: string;
};

export interface MailboxStoreSnapshot {
  clockMs: number;
  mailboxes: (Omit<Mailbox, 'events' | 'deleted'> & { events: SavedEvent[]; deleted: SavedEvent[] })[];
}

const saveEvent = (event: StoredEvent): SavedEvent => ({ ...event, overrides: [...event.overrides] });
const loadEvent = (saved: SavedEvent): StoredEvent => ({
  ...saved,
  startTimeZone: saved.startTimeZone ?? 'UTC',
  endTimeZone: saved.endTimeZone ?? 'UTC',
  overrides: new Map(saved.overrides),
});
const byId = (events: StoredEvent[]) => new Map(events.map((event) => [event.id, event]));

export class MailboxStore {
  private readonly boxes = new Map<string, Mailbox>();
  readonly clock = new MonotonicClock();
  /** Called after every change of a mailbox's calendar (push notifications). */
  onChange: (mailbox: Mailbox, id: string, change: 'created' | 'updated' | 'deleted') => void = () => undefined;

  create(user: { email: string; name?: string }): Mailbox {
    const email = user.email.trim().toLowerCase();
    const existing = this.boxes.get(email);
    if (existing) return existing;
    const mailbox: Mailbox = { email, name: user.name ?? email.split('@')[0]!, oid: crypto.randomUUID(), events: new Map(), deleted: new Map(), log: [], seq: 0, epoch: 0 };
    this.boxes.set(email, mailbox);
    return mailbox;
  }

  get(email: string): Mailbox | undefined {
    return this.boxes.get(email.trim().toLowerCase());
  }

  require(email: string): Mailbox {
    const mailbox = this.get(email);
    if (!mailbox) throw Object.assign(new Error(`no mailbox ${email}`), { status: 404, code: 'ErrorItemNotFound' });
    return mailbox;
  }

  all(): Mailbox[] {
    return [...this.boxes.values()];
  }

  clear(): void {
    this.boxes.clear();
  }

  snapshot(): MailboxStoreSnapshot {
    const mailboxes = this.all().map(({ events, deleted, ...mailbox }) => ({
      ...mailbox,
      events: [...events.values()].map(saveEvent),
      deleted: [...deleted.values()].map(saveEvent),
    }));
    return { clockMs: this.clock.snapshot(), mailboxes };
  }

  restore(saved: MailboxStoreSnapshot): void {
    this.boxes.clear();
    this.clock.restore(saved.clockMs);
    for (const { events, deleted, ...mailbox } of saved.mailboxes) {
      this.boxes.set(mailbox.email, { ...mailbox, events: byId(events.map(loadEvent)), deleted: byId(deleted.map(loadEvent)) });
    }
  }

  /** Records a change of `id` (an event or one occurrence) in the mailbox's log. */
  touch(mailbox: Mailbox, id: string, change: 'created' | 'updated' | 'deleted'): void {
    mailbox.seq += 1;
    mailbox.log.push({ seq: mailbox.seq, id });
    const created = change === 'created' ? mailbox.events.get(id) : undefined;
    if (created) created.createdSeq = mailbox.seq;
    this.onChange(mailbox, id, change);
  }

  newEvent(fields: {
    subject?: string;
    startMs: number;
    endMs: number;
    startTimeZone?: string;
    endTimeZone?: string;
    organizer: Person;
    attendees?: Attendee[];
    iCalUId?: string;
    organizerCopy?: boolean;
  }): StoredEvent {
    const now = this.clock.nextMs();
    return {
      id: `AAMkAD${crypto.randomBytes(18).toString('base64url')}`,
      iCalUId: fields.iCalUId ?? `040000008200E00074C5B7101A82E008${crypto.randomBytes(16).toString('hex').toUpperCase()}`,
      subject: fields.subject ?? '',
      body: '',
      location: '',
      startMs: fields.startMs,
      endMs: fields.endMs,
      startTimeZone: fields.startTimeZone ?? 'UTC',
      endTimeZone: fields.endTimeZone ?? 'UTC',
      isAllDay: false,
      sensitivity: 'normal',
      showAs: 'busy',
      overrides: new Map(),
      isCancelled: false,
      organizerCopy: fields.organizerCopy ?? true,
      organizer: fields.organizer,
      attendees: fields.attendees ?? [],
      createdMs: now,
      lastModifiedMs: now,
      version: 1,
      createdSeq: 0,
    };
  }

  /** The view of an id in a mailbox: an event, a series master, or one live occurrence of a series. */
  view(mailbox: Mailbox, id: string): EventView | undefined {
    const event = mailbox.events.get(id);
    if (event) return masterView(event);
    const masterId = id.includes('_OCC') ? id.slice(0, id.indexOf('_OCC')) : undefined;
    const master = masterId ? mailbox.events.get(masterId) : undefined;
    const occurrence = master ? occurrences(master).find((o) => o.id === id) : undefined;
    return occurrence?.deleted ? undefined : occurrence;
  }

  /** The instances a calendarView expands an event into: itself, or a series' occurrences. */
  instances(event: StoredEvent): EventView[] {
    return event.recurrence ? occurrences(event) : [masterView(event)];
  }

  /** Finds `email`'s copy of a meeting by iCalUId. */
  copyOf(mailbox: Mailbox, iCalUId: string): StoredEvent | undefined {
    return [...mailbox.events.values()].find((e) => e.iCalUId === iCalUId);
  }

  isOrganizer(mailbox: Mailbox, event: StoredEvent): boolean {
    return sameAddress(event.organizer.address, mailbox.email);
  }
}

export function masterView(event: StoredEvent): EventView {
  // A series master shows its first occurrence's times, as Graph does.
  return {
    id: event.id,
    event,
    type: event.recurrence ? 'seriesMaster' : 'singleInstance',
    startMs: event.startMs,
    endMs: event.endMs,
    cancelled: event.isCancelled,
    subject: event.subject,
    attendees: event.attendees,
    lastModifiedMs: event.lastModifiedMs,
  };
}

/**
 * A series' occurrences with their overrides applied. An occurrence the organizer cancelled is
 * `deleted` from the organizer's calendar; an attendee's copy keeps it as a cancelled exception until
 * they remove it, as Outlook shows it.
 */
export function occurrences(master: StoredEvent): EventView[] {
  const durationMs = master.endMs - master.startMs;
  const organizerCopy = master.organizerCopy;
  return expandRecurrence(master.startMs, master.recurrence!).map((originalStartMs) => {
    const override = master.overrides.get(originalStartMs);
    const startMs = override?.startMs ?? originalStartMs;
    const cancelled = master.isCancelled || override?.cancelled === true;
    return {
      id: occurrenceId(master.id, originalStartMs),
      event: master,
      type: override ? 'exception' : 'occurrence',
      startMs,
      endMs: override?.endMs ?? startMs + durationMs,
      originalStartMs,
      cancelled,
      deleted: override?.cancelled === true && organizerCopy,
      subject: override?.subject ?? master.subject,
      attendees: override?.attendees ?? master.attendees,
      lastModifiedMs: Math.max(master.lastModifiedMs, override?.lastModifiedMs ?? 0),
    };
  });
}
