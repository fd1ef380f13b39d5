/**
 * Users, their primary calendars and the change logs that sync tokens index.
 *
 * Every change goes through `commit`: it stamps the record (`updated`, etag, `sequence`), places it
 * in each calendar that should hold it (organizer and attendees who are emulator users), marks it
 * removed from calendars that no longer should, and appends one entry per touched calendar to that
 * calendar's change log. Incremental sync then reads only the log's tail: O(changes), not O(events).
 * `snapshot`/`restore` carry all of it, sync token positions included, across a restart.
 */
import { randomBytes } from 'node:crypto';
import { MonotonicClock } from '../shared/monotonic-clock';
import type { CalendarEntry, EventRecord } from './event-model';

export interface EmulatorUser {
  email: string;
  name?: string;
  /** Stable numeric subject, as Google's `sub`. */
  sub: string;
  calendar: Calendar;
}

export class Calendar {
  readonly entries = new Map<string, CalendarEntry>();
  /** Entry ids in insertion order; entries are never removed, so full-sync offsets stay stable. */
  readonly order: string[] = [];
  /** `(seq, id)` per change, seq increasing. */
  readonly log: { seq: number; id: string }[] = [];
  /** Exception ids per series master id. */
  readonly instances = new Map<string, Set<string>>();
  /** Bumped by `invalidateSyncTokens`: older tokens answer 410. */
  epoch = 0;

  constructor(
    readonly ownerEmail: string,
    readonly resourceId: string,
  ) {}
}

/** A calendar's entry as saved: its record by index into the snapshot's `records`. */
type SavedEntry = Omit<CalendarEntry, 'record'> & { record: number };

/** The store as plain JSON. A record shared by several calendars is saved once, and shared again on restore. */
export interface CalendarStoreSnapshot {
  instance: string;
  seq: number;
  nextSub: string;
  clockMs: number;
  records: EventRecord[];
  users: {
    email: string;
    name?: string;
    sub: string;
    /** Entries in insertion order, from which `order` and the series index are rebuilt. */
    calendar: { resourceId: string; epoch: number; log: { seq: number; id: string }[]; entries: SavedEntry[] };
  }[];
}

export class CalendarStore {
  readonly clock = new MonotonicClock();
  /** Identifies this emulator run, so tokens from an earlier run (or before `reset`) are refused. */
  instance = randomBytes(6).toString('hex');
  /** Called once per calendar whose log grew (push notifications). */
  onChange: (calendar: Calendar) => void = () => undefined;
  private readonly users = new Map<string, EmulatorUser>();
  private readonly holders = new WeakMap<EventRecord, Set<Calendar>>();
  private seq = 0;
  private nextSub = 100000000000000000001n;

  createUser(input: { email: string; name?: string }): EmulatorUser {
    const email = input.email?.trim();
    if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error(`createUser: invalid email ${JSON.stringify(input.email)}`);
    const existing = this.users.get(email.toLowerCase());
    if (existing) {
      if (input.name) existing.name = input.name;
      return existing;
    }
    const user: EmulatorUser = {
      email,
      name: input.name,
      sub: String(this.nextSub++),
      calendar: new Calendar(email, randomBytes(12).toString('base64url')),
    };
    this.users.set(email.toLowerCase(), user);
    return user;
  }

  user(email: string): EmulatorUser | undefined {
    return this.users.get(email.trim().toLowerCase());
  }

  requireUser(email: string): EmulatorUser {
    const user = this.user(email);
    if (!user) throw Object.assign(new Error(`no emulator user ${email}`), { status: 404 });
    return user;
  }

  allUsers(): EmulatorUser[] {
    return [...this.users.values()];
  }

  reset(): void {
    this.users.clear();
    this.instance = randomBytes(6).toString('hex');
  }

  /** Live objects, not copies: serialize before the next change. */
  snapshot(): CalendarStoreSnapshot {
    const records: EventRecord[] = [];
    const indexes = new Map<EventRecord, number>();
    const indexOf = (record: EventRecord) => {
      let index = indexes.get(record);
      if (index === undefined) indexes.set(record, (index = records.push(record) - 1));
      return index;
    };
    const users = this.allUsers().map(({ email, name, sub, calendar }) => ({
      email,
      name,
      sub,
      calendar: {
        resourceId: calendar.resourceId,
        epoch: calendar.epoch,
        log: calendar.log,
        entries: calendar.order.map((id) => {
          const { record, ...entry } = calendar.entries.get(id)!;
          return { ...entry, record: indexOf(record) };
        }),
      },
    }));
    return { instance: this.instance, seq: this.seq, nextSub: String(this.nextSub), clockMs: this.clock.snapshot(), records, users };
  }

  restore(saved: CalendarStoreSnapshot): void {
    this.users.clear();
    // The same run identity: sync and page tokens handed out before the restart stay valid.
    this.instance = saved.instance;
    this.seq = saved.seq;
    this.nextSub = BigInt(saved.nextSub);
    this.clock.restore(saved.clockMs);
    for (const user of saved.users) {
      const calendar = new Calendar(user.email, user.calendar.resourceId);
      calendar.epoch = user.calendar.epoch;
      for (const change of user.calendar.log) calendar.log.push(change);
      for (const { record: index, ...fields } of user.calendar.entries) {
        const record = saved.records[index];
        if (!record) throw new Error(`calendar of ${user.email}: no record #${index}`);
        calendar.entries.set(record.id, { ...fields, record });
        calendar.order.push(record.id);
        if (record.recurringEventId) this.indexInstance(calendar, record);
        const holders = this.holders.get(record) ?? new Set<Calendar>();
        this.holders.set(record, holders.add(calendar));
      }
      this.users.set(user.email.toLowerCase(), { email: user.email, name: user.name, sub: user.sub, calendar });
    }
  }

  /** The sequence number of the latest change anywhere. */
  head(): number {
    return this.seq;
  }

  /** Stamps a change on `record` and records it in every calendar that holds or should hold it. */
  commit(record: EventRecord, options: { sequenceBump?: boolean; extra?: CalendarEntry[] } = {}): void {
    record.updated = this.clock.nextIso();
    record.version += 1;
    if (options.sequenceBump) record.sequence += 1;
    const targets = this.calendarsFor(record);
    const holders = this.holders.get(record) ?? new Set<Calendar>();
    this.holders.set(record, holders);
    const touched = new Set<Calendar>();
    for (const calendar of new Set([...holders, ...targets])) {
      const existing = calendar.entries.get(record.id);
      if (existing && existing.record !== record) continue; // another event already has this id there
      if (!existing) {
        if (!targets.has(calendar)) continue;
        const entry = { record, removed: false, seq: 0 };
        calendar.entries.set(record.id, entry);
        calendar.order.push(record.id);
        if (record.recurringEventId) this.indexInstance(calendar, record);
        holders.add(calendar);
        this.log(calendar, entry);
      } else if (targets.has(calendar)) {
        if (existing.dismissed) continue; // the attendee deleted it: it stays out of their calendar
        existing.removed = false;
        this.log(calendar, existing);
      } else if (!existing.removed) {
        existing.removed = true;
        this.log(calendar, existing);
      } else continue;
      touched.add(calendar);
    }
    for (const calendar of touched) this.onChange(calendar);
  }

  /** Records a change that concerns one calendar's copy only (an attendee removing the event). */
  logLocal(calendar: Calendar, entry: CalendarEntry): void {
    entry.record.updated = this.clock.nextIso();
    this.log(calendar, entry);
    this.onChange(calendar);
  }

  private log(calendar: Calendar, entry: CalendarEntry): void {
    entry.seq = ++this.seq;
    calendar.log.push({ seq: entry.seq, id: entry.record.id });
  }

  private indexInstance(calendar: Calendar, record: EventRecord): void {
    const ids = calendar.instances.get(record.recurringEventId!) ?? new Set<string>();
    ids.add(record.id);
    calendar.instances.set(record.recurringEventId!, ids);
  }

  /** The organizer's calendar and those of attendees who are emulator users (never resources). */
  private calendarsFor(record: EventRecord): Set<Calendar> {
    const calendars = new Set<Calendar>();
    const organizer = this.user(record.organizer.email);
    if (organizer) calendars.add(organizer.calendar);
    for (const attendee of record.attendees) {
      if (attendee.resource) continue;
      const user = this.user(attendee.email);
      if (user) calendars.add(user.calendar);
    }
    return calendars;
  }
}
