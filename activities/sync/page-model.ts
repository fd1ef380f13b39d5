/**
 * One page's slice of the CRM, in memory: the meetings its events may touch (with attendees), this
 * connection's links to those events, and how many other calendars link each meeting. Decisions are
 * carried out here, one event after the other exactly as the database would see them, and the model
 * remembers what it changed, so that save-page.ts writes the whole page in one transaction with a
 * few statements instead of several per event.
 *
 * Plain data and no I/O: the rules for carrying a decision out (which meeting it lands on, what
 * counts as a change, when a removal cancels the meeting) are tested here without a database.
 */
import { randomUUID } from 'node:crypto';
import type { CalendarEvent, ConferenceProvider, ResponseStatus } from '../../model/calendar-event';
import type { MeetingDecision } from '../../sync-rules';

export type StoredResponse = 'ACCEPTED' | 'DECLINED' | 'TENTATIVE' | 'NONE';
export type StoredStatus = 'SCHEDULING' | 'SCHEDULED' | 'CANCELLED' | 'FAILED';

export interface MeetingRow {
  id: string;
  accountId: string;
  ownerUserId: string | null;
  title: string;
  description: string | null;
  location: string | null;
  startAt: Date;
  endAt: Date;
  timeZone: string | null;
  allDay: boolean;
  status: StoredStatus;
  source: 'CRM' | 'CALENDAR';
  meetingKey: string | null;
  iCalUID: string | null;
  seriesId: string | null;
  instanceStart: Date | null;
  deletedAt: Date | null;
  /** A CRM edit is on its way to the calendar (see `upsertMeeting`). */
  calendarUpdatePendingSince: Date | null;
  conferenceUrl: string | null;
  conferenceProvider: ConferenceProvider | null;
}

export interface AttendeeRow {
  meetingId: string;
  emailKey: string;
  email: string;
  name: string | null;
  response: StoredResponse;
  organizer: boolean;
  contactId: string | null;
}

export interface LinkRow {
  id: string;
  meetingId: string;
  connectionId: string;
  providerEventId: string;
  iCalUID: string | null;
  seriesMasterId: string | null;
  instanceStart: Date | null;
  frozen: boolean;
  sourceUpdatedAt: Date | null;
  seriesSignature: string | null;
}

/** A row as loaded or made in this page, and what became of it. */
export interface Tracked<Row> {
  row: Row;
  /** Made in this page (inserted on save, unless deleted again). */
  created: boolean;
  /** A loaded row whose values changed. */
  updated: boolean;
  deleted: boolean;
}

export interface PageSnapshot {
  connection: { id: string; accountId: string; userId: string; providerEmail: string };
  meetings: (MeetingRow & { attendees: AttendeeRow[] })[];
  /** This connection's links to the page's events and to the loaded meetings. */
  links: LinkRow[];
  /** meeting id → links from other connections (kept alive by other users' calendars, SPEC §4.10). */
  otherLinkCounts: Map<string, number>;
}

/** The columns a sync writes, per table: an update sends these and nothing else. */
export const MEETING_VALUES = [
  'title', 'description', 'location', 'startAt', 'endAt', 'timeZone', 'allDay', 'status', 'iCalUID', 'seriesId', 'instanceStart', 'conferenceUrl', 'conferenceProvider',
] as const;
export const LINK_VALUES = ['iCalUID', 'seriesMasterId', 'instanceStart', 'frozen', 'sourceUpdatedAt', 'seriesSignature'] as const;
export const ATTENDEE_VALUES = ['email', 'name', 'response', 'organizer', 'contactId'] as const;

type MeetingValues = Pick<MeetingRow, (typeof MEETING_VALUES)[number]>;
type LinkValues = Pick<LinkRow, (typeof LINK_VALUES)[number]>;
type AttendeeValues = Pick<AttendeeRow, (typeof ATTENDEE_VALUES)[number]>;

/** `row`'s values of `keys` only (loaded rows carry more columns than a sync writes). */
export function pick<Row, Key extends keyof Row>(row: Row, keys: readonly Key[]): Pick<Row, Key> {
  return Object.fromEntries(keys.map((key) => [key, row[key]])) as Pick<Row, Key>;
}

const track = <Row>(row: Row): Tracked<Row> => ({ row, created: false, updated: false, deleted: false });

export const toStoredResponse = (response: ResponseStatus) => response.toUpperCase() as StoredResponse;

export function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}

function differs<T extends object>(current: T, wanted: Partial<T>): boolean {
  return (Object.keys(wanted) as (keyof T)[]).some((key) => !sameValue(current[key], wanted[key]));
}

export class PageModel {
  readonly meetings = new Map<string, Tracked<MeetingRow>>();
  /** meeting id → email key → attendee. */
  readonly attendees = new Map<string, Map<string, Tracked<AttendeeRow>>>();
  /** provider event id → this connection's link. */
  readonly links = new Map<string, Tracked<LinkRow>>();
  /** Series whose logged occurrences must be forgotten: they moved with the series (see apply-events.ts). */
  readonly changedSeries = new Set<string>();
  private readonly meetingByKey = new Map<string, string>();
  private readonly connection: PageSnapshot['connection'];
  private readonly otherLinkCounts: Map<string, number>;

  constructor(snapshot: PageSnapshot) {
    this.connection = snapshot.connection;
    this.otherLinkCounts = snapshot.otherLinkCounts;
    for (const { attendees, ...meeting } of snapshot.meetings) {
      this.meetings.set(meeting.id, track(meeting));
      if (meeting.meetingKey) this.meetingByKey.set(meeting.meetingKey, meeting.id);
      this.attendees.set(meeting.id, new Map(attendees.map((attendee) => [attendee.emailKey, track(attendee)])));
    }
    for (const link of snapshot.links) this.links.set(link.providerEventId, track(link));
  }

  hasChanges(): boolean {
    const changed = (tracked: Tracked<unknown>) => tracked.created || tracked.updated || tracked.deleted;
    return (
      [...this.meetings.values()].some(changed) ||
      [...this.links.values()].some(changed) ||
      [...this.attendees.values()].some((byKey) => [...byKey.values()].some(changed))
    );
  }

  /** This connection's live link to the event, if any. */
  link(providerEventId: string): LinkRow | undefined {
    const link = this.links.get(providerEventId);
    return link && !link.deleted ? link.row : undefined;
  }

  /** Where an upsert lands: the linked meeting, else the CRM's own meeting, else the one with its key. */
  private target(event: CalendarEvent, decision: MeetingDecision): Tracked<MeetingRow> | undefined {
    const link = this.link(event.id);
    if (link) return this.meetings.get(link.meetingId);
    if (decision.crmMeetingId) {
      const created = this.meetings.get(decision.crmMeetingId);
      if (created && created.row.accountId === this.connection.accountId) return created;
    }
    const byKey = this.meetingByKey.get(decision.meetingKey);
    return byKey ? this.meetings.get(byKey) : undefined;
  }

  /** Carries out `upsertMeeting`; returns whether anything changed. */
  upsertMeeting(event: CalendarEvent, decision: MeetingDecision): boolean {
    const { fields } = decision;
    const existing = this.target(event, decision);
    if (existing?.row.deletedAt) return false; // deleted in the CRM: sync never revives it (SPEC §5)
    // A CRM edit on its way to the calendar is newer than what the calendar shows: applying that
    // would revert the edit, and the patch would then write the reverted meeting back. Its own
    // version comes back with the next sync. A cancellation still applies.
    if (existing?.row.calendarUpdatePendingSince && fields.status !== 'CANCELLED') return false;

    const values: MeetingValues = {
      title: fields.title,
      description: fields.description ?? null,
      location: fields.location ?? null,
      startAt: new Date(fields.startAt),
      endAt: new Date(fields.endAt),
      timeZone: fields.timeZone ?? null,
      allDay: fields.allDay,
      status: fields.status,
      iCalUID: fields.iCalUID ?? null,
      seriesId: fields.seriesMasterId ?? null,
      instanceStart: fields.instanceStart ? new Date(fields.instanceStart) : null,
      conferenceUrl: fields.conference?.url ?? null,
      conferenceProvider: fields.conference?.provider ?? null,
    };
    let changed = false;
    let meeting: Tracked<MeetingRow>;
    if (!existing) {
      const row: MeetingRow = {
        ...values,
        id: randomUUID(),
        accountId: this.connection.accountId,
        ownerUserId: this.connection.userId,
        source: 'CALENDAR',
        meetingKey: decision.meetingKey,
        deletedAt: null,
        calendarUpdatePendingSince: null,
      };
      meeting = { ...track(row), created: true };
      this.meetings.set(row.id, meeting);
      this.meetingByKey.set(decision.meetingKey, row.id);
      this.attendees.set(row.id, new Map());
      changed = true;
    } else {
      meeting = existing;
      // A CRM-scheduled meeting keeps its own key; a calendar meeting's key never changes.
      if (differs(meeting.row, values)) {
        Object.assign(meeting.row, values);
        meeting.updated = !meeting.created;
        changed = true;
      }
    }

    changed = this.replaceAttendees(meeting.row.id, decision.attendees) || changed;

    const linkValues: LinkValues = {
      iCalUID: fields.iCalUID ?? null,
      seriesMasterId: fields.seriesMasterId ?? null,
      instanceStart: fields.instanceStart ? new Date(fields.instanceStart) : null,
      frozen: false,
      sourceUpdatedAt: event.updatedAt ? new Date(event.updatedAt) : null,
      seriesSignature: event.seriesSignature ?? null,
    };
    const current = this.link(event.id);
    // A series placed anew (moved, shortened, another rule) has new occurrences, with new ids.
    if (event.kind === 'seriesMaster' && (!current || !sameValue(current.seriesSignature, linkValues.seriesSignature))) this.changedSeries.add(event.id);
    if (!current || current.meetingId !== meeting.row.id) {
      const row: LinkRow = { ...linkValues, id: randomUUID(), meetingId: meeting.row.id, connectionId: this.connection.id, providerEventId: event.id };
      this.links.set(event.id, { ...track(row), created: true });
      changed = true;
    } else if (current.frozen || differs(current, linkValues)) {
      changed = changed || current.frozen;
      this.update(this.links.get(event.id)!, linkValues);
    }
    return changed;
  }

  /**
   * Re-matches guests on every change (SPEC §4.11): the decision's list replaces the stored one. The
   * calendar owner's own row (the organizer of a CRM-scheduled meeting) is not the rules' to manage.
   */
  private replaceAttendees(meetingId: string, wanted: MeetingDecision['attendees']): boolean {
    const ownKey = this.connection.providerEmail.trim().toLowerCase();
    const stored = this.attendees.get(meetingId)!;
    const wantedKeys = new Set(wanted.map((attendee) => attendee.emailKey));
    let changed = false;
    for (const [emailKey, attendee] of stored) {
      if (attendee.deleted || emailKey === ownKey || wantedKeys.has(emailKey)) continue;
      attendee.deleted = true;
      changed = true;
    }
    for (const attendee of wanted) {
      const values: AttendeeValues = {
        email: attendee.email,
        name: attendee.name ?? null,
        response: toStoredResponse(attendee.response),
        organizer: attendee.organizer,
        contactId: attendee.contactId,
      };
      const current = stored.get(attendee.emailKey);
      if (!current) {
        stored.set(attendee.emailKey, { ...track({ ...values, meetingId, emailKey: attendee.emailKey }), created: true });
        changed = true;
      } else if (current.deleted || differs(current.row, values)) {
        current.deleted = false;
        this.update(current, values);
        changed = true;
      }
    }
    return changed;
  }

  /** The linked event became private (SPEC §4.7); returns whether the link was not frozen yet. */
  freezeLink(providerEventId: string): boolean {
    const link = this.links.get(providerEventId);
    if (!link || link.deleted || link.row.frozen) return false;
    this.update(link, { frozen: true });
    return true;
  }

  /**
   * This calendar no longer has the event. The meeting is cancelled when its organizer cancelled it
   * or when no other calendar (another user's, or another event of this one) still holds it. A
   * removed series master takes the meetings of its occurrences along (moved or changed weeks that
   * became meetings of their own), whether or not the provider lists each of them as removed.
   */
  removeLink(providerEventId: string, cancelledByOrganizer: boolean): boolean {
    const link = this.links.get(providerEventId);
    if (!link || link.deleted) return false;
    this.unlink(link, cancelledByOrganizer);
    for (const occurrence of this.links.values()) {
      if (!occurrence.deleted && occurrence.row.seriesMasterId === providerEventId) this.unlink(occurrence, cancelledByOrganizer);
    }
    return true;
  }

  private unlink(link: Tracked<LinkRow>, cancelledByOrganizer: boolean): void {
    link.deleted = true;
    const { meetingId } = link.row;
    const stillHeld = (this.otherLinkCounts.get(meetingId) ?? 0) + [...this.links.values()].filter((other) => !other.deleted && other.row.meetingId === meetingId).length;
    const meeting = this.meetings.get(meetingId);
    if ((cancelledByOrganizer || stillHeld === 0) && meeting && meeting.row.status !== 'CANCELLED' && !meeting.row.deletedAt) {
      this.update(meeting, { status: 'CANCELLED' });
    }
  }

  private update<Row extends object>(tracked: Tracked<Row>, values: Partial<Row>): void {
    Object.assign(tracked.row, values);
    if (!tracked.created) tracked.updated = true;
  }
}
