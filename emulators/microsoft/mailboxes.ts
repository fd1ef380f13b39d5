/**
 * Users' mailboxes and their calendars: events, series expanded into occurrences, and a change log
 * that delta tokens index. Copies of one meeting in several users' calendars share the iCalUId but
 * have their own ids, as in Exchange; the organizer's changes reach every copy.
 */
import crypto from 'node:crypto';
import { MonotonicClock } from '../shared/monotonic-clock';
import { sameAddress, type Attendee, type EventView, type Person, type StoredEvent } from './event-model';

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

const DAY_MS = 86_400_000;
/** Series are expanded this far at most: enough for any sync window the service uses. */
const MAX_OCCURRENCES = 400;

const occurrenceId = (masterId: string, startMs: number) => `${masterId}_OCC${new Date(startMs).toISOString().replace(/[-:.]/g, '').slice(0, 15)}`;

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

  /** Records a change of `id` (an event or one occurrence) in the mailbox's log. */
  touch(mailbox: Mailbox, id: string, change: 'created' | 'updated' | 'deleted'): void {
    mailbox.seq += 1;
    mailbox.log.push({ seq: mailbox.seq, id });
    this.onChange(mailbox, id, change);
  }

  newEvent(fields: { subject?: string; startMs: number; endMs: number; organizer: Person; attendees?: Attendee[]; iCalUId?: string }): StoredEvent {
    const now = this.clock.nextMs();
    return {
      id: `AAMkAD${crypto.randomBytes(18).toString('base64url')}`,
      iCalUId: fields.iCalUId ?? `040000008200E00074C5B7101A82E008${crypto.randomBytes(16).toString('hex').toUpperCase()}`,
      subject: fields.subject ?? '',
      body: '',
      location: '',
      startMs: fields.startMs,
      endMs: fields.endMs,
      isAllDay: false,
      sensitivity: 'normal',
      showAs: 'busy',
      overrides: new Map(),
      isCancelled: false,
      organizer: fields.organizer,
      attendees: fields.attendees ?? [],
      createdMs: now,
      lastModifiedMs: now,
      version: 1,
    };
  }

  /** The view of an id in a mailbox: an event, a series master, or one occurrence of a series. */
  view(mailbox: Mailbox, id: string): EventView | undefined {
    const event = mailbox.events.get(id);
    if (event) return masterView(event);
    const masterId = id.includes('_OCC') ? id.slice(0, id.indexOf('_OCC')) : undefined;
    const master = masterId ? mailbox.events.get(masterId) : undefined;
    return master ? occurrences(master).find((o) => o.id === id) : undefined;
  }

  /** What a calendarView lists: single events and occurrences (never series masters). */
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

function masterView(event: StoredEvent): EventView {
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

/** A series' occurrences with their overrides applied (cancelled ones flagged). */
export function occurrences(master: StoredEvent): EventView[] {
  const recurrence = master.recurrence!;
  const stepMs = (recurrence.pattern.type === 'weekly' ? 7 : 1) * DAY_MS * Math.max(1, recurrence.pattern.interval || 1);
  const count = recurrence.range.type === 'numbered' ? Math.min(recurrence.range.numberOfOccurrences ?? 1, MAX_OCCURRENCES) : MAX_OCCURRENCES;
  const until = recurrence.range.type === 'endDate' && recurrence.range.endDate ? Date.parse(`${recurrence.range.endDate}T23:59:59Z`) : Infinity;
  const views: EventView[] = [];
  for (let i = 0; i < count; i++) {
    const originalStartMs = master.startMs + i * stepMs;
    if (originalStartMs > until) break;
    const override = master.overrides.get(originalStartMs);
    const moved = override?.startMs !== undefined;
    views.push({
      id: occurrenceId(master.id, originalStartMs),
      event: master,
      type: override && !override.cancelled ? 'exception' : 'occurrence',
      startMs: override?.startMs ?? originalStartMs,
      endMs: override?.endMs ?? (moved ? override!.startMs! : originalStartMs) + (master.endMs - master.startMs),
      originalStartMs,
      cancelled: master.isCancelled || override?.cancelled === true,
      subject: override?.subject ?? master.subject,
      attendees: override?.attendees ?? master.attendees,
      lastModifiedMs: Math.max(master.lastModifiedMs, override?.lastModifiedMs ?? 0),
    });
  }
  return views;
}
