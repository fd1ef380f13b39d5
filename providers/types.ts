/**
 * The one interface behind which Google Calendar and Microsoft Graph look the same.
 *
 * The adapters speak the normalized event of model/calendar-event.ts; what is here is the provider
 * side only: listing pages, write inputs, push channels, credentials and the interfaces.
 */

import type { CalendarEvent, EventTime, ProviderName } from '../model/calendar-event';

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
