/**
 * The one interface behind which Google Calendar and Microsoft Graph look the same.
 *
 * Everything here is plain data: the sync rules (sync-rules/) decide over `CalendarEvent`s without
 * knowing which provider produced them, and activities move these values between the provider
 * adapters and the CRM store. Times are ISO-8601 strings so values survive Temporal serialization.
 */

export type ProviderName = 'GOOGLE' | 'MICROSOFT';

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

/** One page of an incremental change listing. */
export interface ChangesPage {
  events: CalendarEvent[];
  /** Opaque position of the next page; absent on the last page. */
  nextPage?: string;
  /** Opaque cursor for the next incremental sync; present on the last page only. */
  cursor?: string;
}

export interface ListChangesRequest {
  /** Cursor from the last complete listing; absent for a full (initial) sync. */
  cursor?: string;
  /** `nextPage` of the previous page of this listing. */
  page?: string;
  /** Window of a full sync (ignored with a cursor: providers refuse or remember it). */
  window?: { start: string; end: string };
}

/** What the CRM asks a calendar to hold. */
export interface EventInput {
  title: string;
  description?: string;
  location?: string;
  start: EventTime;
  end: EventTime;
  /** Guest emails to invite. */
  attendees: { email: string; name?: string }[];
  /** Out-of-office block instead of a meeting. */
  outOfOffice?: boolean;
  /**
   * Ask the provider for an online meeting (Google Meet, Microsoft Teams). Honoured by `createEvent`
   * only, idempotently like the create itself; `patchEvent` leaves an event's conference as it is.
   */
  conference?: boolean;
}

/** A push channel: a Google watch channel or a Graph subscription. */
export interface PushChannel {
  /** Google channel id; Graph subscription id. */
  id: string;
  /** Google `resourceId` (needed to stop the channel); absent for Graph. */
  resourceId?: string;
  /** The secret the provider echoes on every notification (Google token; Graph clientState). */
  secret: string;
  expiresAt: string;
}

export interface CreateChannelRequest {
  /** Public URL the provider posts notifications to. */
  address: string;
  /** Graph lifecycle notifications URL. */
  lifecycleAddress?: string;
  /** Our own id for a Google channel (Graph chooses its subscription id). */
  channelId: string;
  secret: string;
  expiresAt: string;
}

export interface CreateEventOptions {
  /** Makes a retried create return the first event instead of a second one. */
  clientId: string;
  /** The CRM record the event stands for, marked on the event so the sync loop recognises it. */
  crmMeetingId?: string;
  crmOutOfOfficeId?: string;
}

export interface CalendarProvider {
  readonly name: ProviderName;
  listChanges(request: ListChangesRequest): Promise<ChangesPage>;
  getEvent(id: string): Promise<CalendarEvent | undefined>;
  /**
   * Creates an event and sends invitations. `clientId` makes retries safe: Google uses it as the event
   * id (a 409 then returns the existing event), Graph as `transactionId`.
   */
  createEvent(input: EventInput, options: CreateEventOptions): Promise<CalendarEvent>;
  /** Patches an event; `notify` sends updates to guests (Google `sendUpdates=all`). */
  patchEvent(id: string, patch: Partial<EventInput>, options: { notify: boolean }): Promise<CalendarEvent>;
  deleteEvent(id: string, options: { notify: boolean }): Promise<void>;
  createChannel(request: CreateChannelRequest): Promise<PushChannel>;
  /** Google: a new channel (the caller stops the old one). Graph: PATCH of the expiry, same id. */
  renewChannel(channel: PushChannel, request: CreateChannelRequest): Promise<PushChannel>;
  stopChannel(channel: PushChannel): Promise<void>;
  /**
   * Stops channels to `address` this service may have created without recording them (a create whose
   * answer was lost with its worker). Google cannot list channels: it stops `candidateIds` (the ids
   * earlier attempts used) on `resourceId`. Graph lists the user's subscriptions to `address` and
   * deletes those not in `keep`. Returns how many it stopped.
   */
  stopUnrecordedChannels(request: { address: string; candidateIds: string[]; resourceId?: string; keep: string[] }): Promise<number>;
}

/** OAuth state of a connection, as stored (encrypted) in the database. Never enters Temporal. */
export interface StoredCredentials {
  accessToken: string;
  refreshToken?: string;
  /** ISO instant when the access token expires. */
  expiresAt: string;
  /** Microsoft: MSAL's serialized token cache and the account's home id. */
  msalCache?: string;
  homeAccountId?: string;
}

export interface AuthorizationResult {
  credentials: StoredCredentials;
  /** The email of the account that consented (the calendar owner). */
  email: string;
}

/** OAuth for one provider: consent URL, code exchange, refresh. */
export interface ProviderAuth {
  readonly name: ProviderName;
  authorizationUrl(request: { state: string; redirectUri: string; loginHint?: string }): Promise<string>;
  exchangeCode(request: { code: string; redirectUri: string }): Promise<AuthorizationResult>;
  /** A fresh access token; throws `AuthRevokedError` when the grant is dead for good. */
  refresh(credentials: StoredCredentials): Promise<StoredCredentials>;
}
