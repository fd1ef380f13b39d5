/**
 * The plain data the calendar → CRM rules (SPEC §4) decide over, and the decisions they return.
 * No I/O anywhere in sync-rules/: the sync activity loads these inputs and carries out the decisions.
 */
import type { CalendarEvent, EventConference, ResponseStatus } from '../model/calendar-event';

/** Who counts as internal for the account (SPEC §4.4); any case and whitespace. */
export interface SyncAccount {
  domains: string[];
  userEmails: string[];
  blockedDomains: string[];
  /** The account's exclusion list: people never logged, as if internal (none when absent). */
  excludedEmails?: string[];
  excludedDomains?: string[];
}

export interface SyncConnection {
  id: string;
  /** The calendar owner's address. */
  userEmail: string;
}

export interface MeetingAttendeeDecision {
  email: string;
  emailKey: string;
  name?: string;
  response: ResponseStatus;
  contactId: string | null;
  organizer: boolean;
}

export interface MeetingFields {
  title: string;
  description?: string;
  location?: string;
  startAt: string;
  endAt: string;
  timeZone?: string;
  allDay: boolean;
  status: 'SCHEDULED' | 'CANCELLED';
  iCalUID?: string;
  seriesMasterId?: string;
  instanceStart?: string;
  /** The event's join link as it is now: absent when the event has none (the meeting's is cleared). */
  conference?: EventConference;
}

export interface MeetingDecision {
  action: 'upsertMeeting';
  /** One meeting per real meeting across users' calendars (SPEC §4.10). */
  meetingKey: string;
  /** The CRM scheduled this event (SPEC §5): link that meeting, never log a second one. */
  crmMeetingId?: string;
  fields: MeetingFields;
  /** The matched contacts: the meeting's attendees from now on (SPEC §4.11). */
  attendees: MeetingAttendeeDecision[];
}

/** Why a change left the CRM untouched; counted by name in the sync status report. */
export type IgnoreReason =
  /** The initial sync saw the event or its series (§4.3). */
  | 'existedBeforeConnect'
  /** Private and not linked (§4.7). */
  | 'private'
  /** Linked, made private, still private: its changes are not applied (§4.7). */
  | 'frozen'
  /** No guest is an external contact (§4.1, §4.4, §4.5). */
  | 'noContactGuests'
  /** An unmodified occurrence: its series master stands for the first one (§4.6). */
  | 'seriesOccurrence'
  /** An exception no different from its logged series (§4.6). */
  | 'unchangedOccurrence'
  /** Deleted or cancelled, and never synced from this calendar. */
  | 'cancelledUnlinked'
  /** The provider sent an event without start or end. */
  | 'noTimes';

export type Decision =
  | { action: 'ignore'; reason: IgnoreReason }
  | MeetingDecision
  /** The linked event became private: the meeting stays, later changes are not applied (SPEC §4.7). */
  | { action: 'freezeLink' }
  /**
   * This calendar no longer holds the linked event. `cancelledByOrganizer`: the meeting itself was
   * cancelled, not just this user's copy deleted (other users' links keep such a meeting alive).
   */
  | { action: 'removeLink'; cancelledByOrganizer: boolean }
  /** `crmOutOfOfficeId`: the CRM set this period and created the event (SPEC §5): update that one, never import a copy. */
  | { action: 'upsertOutOfOffice'; providerEventId: string; startAt: string; endAt: string; title?: string; crmOutOfOfficeId?: string }
  | { action: 'removeOutOfOffice'; providerEventId: string };

/** What this connection already links to the event. */
export type ExistingLink = { kind: 'meeting'; meetingId: string; frozen: boolean } | { kind: 'outOfOffice'; outOfOfficeId: string };

/** The meeting the connection links to the event's series master, for judging one occurrence. */
export interface SeriesMeeting extends Pick<MeetingFields, 'iCalUID' | 'title' | 'description' | 'location' | 'startAt' | 'endAt' | 'timeZone'> {
  attendees: MeetingAttendeeDecision[];
}

export interface DecisionInput {
  event: CalendarEvent;
  account: SyncAccount;
  connection: SyncConnection;
  /** Provider ids the connection's initial sync saw (SPEC §4.3), series masters included. */
  baselineEventIds: ReadonlySet<string>;
  /** emailKey → contact id, the account's existing contacts only. */
  contactsByEmail: ReadonlyMap<string, string>;
  existing?: ExistingLink;
  seriesMeeting?: SeriesMeeting;
}
