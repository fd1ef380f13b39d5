/**
 * The normalized calendar event every layer speaks: the provider adapters produce it, the sync rules
 * decide over it, activities carry it, the API and workflows name its providers. Plain data with
 * no imports; times are ISO-8601 strings so values survive Temporal serialization.
 */

export const PROVIDER_NAMES = ['GOOGLE', 'MICROSOFT'] as const;

export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** A guest's answer to an invitation, normalized across providers. */
export type ResponseStatus = 'accepted' | 'declined' | 'tentative' | 'none';

/**
 * What a guest address stands for. Rooms and equipment are `resource`; distribution lists and
 * Google groups are `group` (never expanded, never matched: SPEC §4.5).
 */
export type GuestKind = 'person' | 'group' | 'resource';

export interface EventGuest {
  /** As the provider gave it; the sync rules trim and lower-case it before matching. */
  email: string;
  name?: string;
  response: ResponseStatus;
  kind: GuestKind;
  /** This guest is the event's organizer. */
  organizer: boolean;
  /** This guest is the connected user (the calendar's owner). */
  self: boolean;
}

export interface EventTime {
  /**
   * The instant, ISO-8601 with offset (`2026-11-24T10:00:00Z`). An all-day boundary is its date at
   * 00:00 UTC whatever the zone (`2026-11-24T00:00:00.000Z`), so the date never shifts across zones;
   * the end is exclusive (the day after the last day).
   */
  dateTime: string;
  /** IANA zone the event was scheduled in, when the provider says (Windows names are mapped). */
  timeZone?: string;
  allDay?: boolean;
}

/**
 * - `single`: an ordinary event.
 * - `seriesMaster`: a recurring series; it stands for its first occurrence (SPEC §4.6).
 * - `occurrence`: an unmodified instance of a series (Graph expands these; Google does not list them
 *   when `singleEvents` is false).
 * - `exception`: an instance that differs from its series (moved, edited, cancelled, response changed).
 */
export type EventKind = 'single' | 'seriesMaster' | 'occurrence' | 'exception';

/** Who runs an event's online meeting: Google Meet, Microsoft Teams, Skype (for Business), anything else. */
export type ConferenceProvider = 'GOOGLE_MEET' | 'TEAMS' | 'SKYPE' | 'OTHER';

/**
 * How guests join the event online. Google: the `video` entry point of `conferenceData` (else
 * `hangoutLink`); Graph: `onlineMeeting.joinUrl`. Only http(s) URLs: the link is shown to CRM users.
 */
export interface EventConference {
  url: string;
  provider: ConferenceProvider;
}

export interface CalendarEvent {
  /** Provider event id (Google event id; Graph event id). */
  id: string;
  iCalUID?: string;
  kind: EventKind;
  /** For `occurrence` and `exception`: the provider id of the series master. */
  seriesMasterId?: string;
  /** For `occurrence` and `exception`: the instance's original (unmoved) start. */
  originalStart?: string;
  /**
   * For a `seriesMaster`: what places its occurrences (recurrence rule, first start and end, zone) as
   * one canonical string. Equal signatures mean the same occurrences, so a cancelled occurrence can
   * be told from one a rescheduled series dropped, whatever else changed on the master.
   */
  seriesSignature?: string;
  /**
   * `cancelled` covers a cancelled meeting and a deleted event alike. A deletion may come with
   * nothing but `id` (and, for an instance, `seriesMasterId` + `originalStart`): `removed` is then true
   * and the other fields are absent or meaningless.
   */
  status: 'confirmed' | 'tentative' | 'cancelled';
  /** The provider reported only that the event is gone (Google bare `cancelled`, Graph `@removed`). */
  removed?: boolean;
  title?: string;
  description?: string;
  location?: string;
  start?: EventTime;
  end?: EventTime;
  /** Google `private`/`confidential` and Graph sensitivity `private` are `private`. */
  visibility: 'default' | 'public' | 'private';
  /** Google `eventType`; Graph `showAs: oof` is `outOfOffice`. */
  eventType: 'default' | 'outOfOffice' | 'other';
  organizer?: { email: string; name?: string; self: boolean };
  /** Attendees, resources and groups; the organizer is included when the provider lists it. */
  guests: EventGuest[];
  createdAt?: string;
  updatedAt?: string;
  /**
   * Set when the CRM created this event (Google private extended property `crmMeetingId`; Graph
   * `transactionId` of the form `crm-<meetingId>`), so the sync loop links it instead of logging it
   * again (SPEC §5).
   */
  crmMeetingId?: string;
  /** Set when the CRM created this event for one of its out-of-office periods (same markers, own name). */
  crmOutOfOfficeId?: string;
  /**
   * The event's online meeting, once it has a join URL; absent when it has none (or none yet: a Google
   * conference still being created has no entry points).
   */
  conference?: EventConference;
}
