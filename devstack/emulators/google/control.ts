/**
 * The emulator's control API: script users, consent, calendar changes made "in Google Calendar" and
 * by outside organizers, faults, and inspect mail, channels and call counts. Tests call it in
 * process; every method is also served at `POST /_emulator/<method>` (JSON array of arguments) and,
 * for those without arguments, `GET /_emulator/<method>`.
 *
 * User actions run the same code as the Calendar API (same validation, change log, propagation to
 * other users' copies, push notifications) but send no mail and skip faults and call counts.
 */
import type { CalendarStore } from './calendar-store';
import { renderEvent, instanceId, timeMs, type CalendarEntry, type EventDateTime, type ResponseStatusValue } from './event-model';
import { occursAt } from './recurrence';
import type { EventService } from './event-service';
import { controlMethods } from '../shared/control-rpc';
import { FaultControls } from '../shared/fault-controls';
import type { FaultPlan } from '../shared/fault-plan';
import type { RetrySchedule, WebhookSender } from '../shared/webhook-sender';
import type { OAuthService } from './oauth-service';
import type { Outbox, OutboxMessage } from './outbox';
import type { ChannelView, PushChannels } from './push-channels';

export const GOOGLE_ENDPOINTS = [
  'events.list', 'events.get', 'events.insert', 'events.patch', 'events.delete', 'events.watch', 'channels.stop', 'oauth.token', 'oauth.revoke',
] as const;
export type GoogleEndpoint = (typeof GOOGLE_ENDPOINTS)[number];

type EventBody = Record<string, unknown>;
type TimeInput = string | EventDateTime;

export interface Invitation extends EventBody {
  /** The outside contact who organizes the event. */
  organizer: string;
  summary?: string;
  start: TimeInput;
  end: TimeInput;
  attendees?: { email: string; displayName?: string; responseStatus?: ResponseStatusValue; resource?: boolean; optional?: boolean }[];
}

/** People's own calendar apps handle conferences: control-API changes read `conferenceData` as version 1 does. */
const AS_IN_CALENDAR = { conferenceDataVersion: 1 } as const;

/** An ISO string is a `dateTime`; a bare `YYYY-MM-DD` a `date`; objects pass as they are. */
const time = (value: TimeInput): EventDateTime =>
  typeof value !== 'string' ? value : /^\d{4}-\d{2}-\d{2}$/.test(value) ? { date: value } : { dateTime: value };

export interface Parts {
  store: CalendarStore;
  events: EventService;
  oauth: OAuthService;
  channels: PushChannels;
  sender: WebhookSender;
  outbox: Outbox;
  faults: FaultPlan<GoogleEndpoint>;
}

export class GoogleEmulatorControl extends FaultControls<GoogleEndpoint> {
  constructor(private readonly parts: Parts) {
    super(parts.faults, GOOGLE_ENDPOINTS, parts.sender);
  }

  // ── Users and consent ────────────────────────────────────────────────────────────────────────
  /** Creates a user and their primary calendar (idempotent). Its id is `primary` or the email. */
  createUser(user: { email: string; name?: string }): { email: string; name?: string; sub: string } {
    const { email, name, sub } = this.parts.store.createUser(user);
    return { email, name, sub };
  }

  users(): { email: string; name?: string; sub: string }[] {
    return this.parts.store.allUsers().map(({ email, name, sub }) => ({ email, name, sub }));
  }

  /** Forgets everything: users, events, tokens, channels and their waiting notifications, mail, faults and counts. */
  reset(): void {
    const { store, oauth, channels, outbox, faults, sender } = this.parts;
    store.reset();
    sender.faults = {};
    oauth.reset();
    channels.reset();
    sender.cancelPending();
    outbox.clear();
    faults.clearFaults();
    faults.resetCounts();
  }

  /** "Allow" on the consent page of `authorizationUrl` as `email`: the redirect URL with `code` and `state`. */
  async approveConsent(authorizationUrl: string, email: string): Promise<string> {
    const { oauth } = this.parts;
    return oauth.decide(oauth.parseAuthorizationRequest(new URL(authorizationUrl).searchParams), email, true);
  }

  /** "Deny" on the consent page: the redirect URL with `error=access_denied`. */
  async denyConsent(authorizationUrl: string): Promise<string> {
    const { oauth } = this.parts;
    return oauth.decide(oauth.parseAuthorizationRequest(new URL(authorizationUrl).searchParams), undefined, false);
  }

  /** Kills the user's refresh tokens: refreshing answers `invalid_grant`. Access tokens live on until they expire. */
  revokeRefreshTokens(email: string): number {
    return this.parts.oauth.revokeRefreshTokens(email);
  }

  /** The user's access tokens answer 401 from now on. */
  expireAccessTokens(email: string): number {
    return this.parts.oauth.expireAccessTokens(email);
  }

  /** The user's sync (and page) tokens answer `410 fullSyncRequired` from now on. */
  invalidateSyncTokens(email: string): void {
    this.parts.store.requireUser(email).calendar.epoch += 1;
  }

  /** `deliveryRetry` changes only the parts given of the notification retry schedule (see WebhookSender). */
  configure(settings: {
    accessTokenLifetimeSeconds?: number;
    maxChannelLifetimeSeconds?: number;
    deliveryRetry?: Partial<RetrySchedule>;
    /** `masterOnly`: a deleted series is listed without its exceptions (see EventService). */
    seriesDeletion?: 'withExceptions' | 'masterOnly';
  }): void {
    if (settings.deliveryRetry !== undefined) this.parts.sender.setRetrySchedule(settings.deliveryRetry); // first: it may refuse
    if (settings.seriesDeletion !== undefined) this.parts.events.seriesDeletion = settings.seriesDeletion;
    if (settings.accessTokenLifetimeSeconds !== undefined) this.parts.oauth.options.accessTokenLifetimeSeconds = settings.accessTokenLifetimeSeconds;
    if (settings.maxChannelLifetimeSeconds !== undefined) this.parts.channels.maxLifetimeMs = settings.maxChannelLifetimeSeconds * 1000;
  }

  // ── Changes made by the user in Google Calendar ──────────────────────────────────────────────
  /** Calendar's own UI adds and removes Meet conferences: `conferenceData` is read (version 1), e.g. `{ createRequest: … }` or `null`. */
  userCreateEvent(email: string, event: EventBody): Record<string, unknown> {
    return this.view(email, this.parts.events.insert(email, event, AS_IN_CALENDAR));
  }

  userUpdateEvent(email: string, eventId: string, patch: EventBody): Record<string, unknown> {
    return this.view(email, this.parts.events.patch(email, eventId, patch, undefined, AS_IN_CALENDAR));
  }

  /** The organizer cancels the event; an attendee removes it from their calendar (declining it). */
  userDeleteEvent(email: string, eventId: string): void {
    this.parts.events.remove(email, eventId);
  }

  /** Cancels one occurrence of a series (the occurrence starting at `originalStart`). */
  userCancelInstance(email: string, masterId: string, originalStart: string): void {
    this.parts.events.remove(email, this.instanceOf(email, masterId, originalStart));
  }

  userMoveInstance(email: string, masterId: string, originalStart: string, start: TimeInput, end: TimeInput): Record<string, unknown> {
    return this.userEditInstance(email, masterId, originalStart, { start: time(start), end: time(end) });
  }

  userEditInstance(email: string, masterId: string, originalStart: string, patch: EventBody): Record<string, unknown> {
    return this.userUpdateEvent(email, this.instanceOf(email, masterId, originalStart), patch);
  }

  /** `attendeeEmail` answers `eventId` (an instance id makes that occurrence an exception). */
  userSetResponse(email: string, eventId: string, attendeeEmail: string, response: ResponseStatusValue): Record<string, unknown> {
    const { events } = this.parts;
    const entry = events.entryFor(events.calendarOf(email), eventId);
    events.answer(entry.record, attendeeEmail, response);
    return this.view(email, entry);
  }

  // ── Changes made by an outside organizer ─────────────────────────────────────────────────────
  /** An outside contact invites the user: the event lands in their calendar, the user a `needsAction` guest. */
  inviteUser(userEmail: string, invitation: Invitation): Record<string, unknown> {
    const { organizer, start, end, attendees = [], ...rest } = invitation;
    const body = { ...rest, start: time(start), end: time(end), attendees: [{ email: organizer, responseStatus: 'accepted' }, ...attendees] };
    return this.view(userEmail, this.parts.events.insert(userEmail, body, { ...AS_IN_CALENDAR, sendUpdates: 'none', organizer: { email: organizer } }));
  }

  /** The organizer (whoever it is) changes the event for everyone. */
  organizerUpdateEvent(eventId: string, patch: EventBody): Record<string, unknown> {
    const holder = this.holderOf(eventId);
    return this.view(holder, this.parts.events.patch(holder, eventId, patch, 'none', { ...AS_IN_CALENDAR, asOrganizer: true }));
  }

  /** The organizer cancels the event for everyone. */
  organizerCancelEvent(eventId: string): void {
    this.parts.events.remove(this.holderOf(eventId), eventId, 'none', { asOrganizer: true });
  }

  // ── Inspection ───────────────────────────────────────────────────────────────────────────────
  /** The event as `email`'s calendar holds it (full, even when cancelled), or undefined. */
  getEvent(email: string, eventId: string): Record<string, unknown> | undefined {
    const entry = this.parts.store.requireUser(email).calendar.entries.get(eventId);
    return entry && this.view(email, entry);
  }

  /** Every event `email`'s calendar holds, including cancelled and removed ones. */
  listEvents(email: string): Record<string, unknown>[] {
    const { calendar } = this.parts.store.requireUser(email);
    return calendar.order.map((id) => this.view(email, calendar.entries.get(id)!));
  }

  /** Mail that `sendUpdates` made Google send, oldest first. */
  outbox(): OutboxMessage[] {
    return this.parts.outbox.list();
  }

  clearOutbox(): void {
    this.parts.outbox.clear();
  }

  channels(email?: string): ChannelView[] {
    return this.parts.channels.list(email);
  }

  private view(email: string, entry: CalendarEntry): Record<string, unknown> {
    return structuredClone(renderEvent(entry, email, { full: true })); // callers may mutate what they get
  }

  private instanceOf(email: string, masterId: string, originalStart: string): string {
    const master = this.parts.events.get(email, masterId).record;
    const start = master.start.date ? { date: originalStart.slice(0, 10) } : { dateTime: originalStart };
    if (Number.isNaN(timeMs(start))) throw new Error(`invalid originalStart ${originalStart}`);
    // Said here, not as the bare 404 the API answers: a test that repeats a series in UTC learns why.
    if (occursAt(master, start) === false) throw Object.assign(new Error(`the series has no occurrence at ${originalStart}`), { status: 404 });
    return instanceId(masterId, start);
  }

  /** A user whose calendar holds the event, to act through. */
  private holderOf(eventId: string): string {
    const holder = this.parts.store.allUsers().find((user) => user.calendar.entries.has(eventId));
    if (!holder) throw Object.assign(new Error(`no calendar holds event ${eventId}`), { status: 404 });
    return holder.email;
  }
}

/** Names served over HTTP by the control RPC router. */
export const CONTROL_METHODS = controlMethods(GoogleEmulatorControl, ['view', 'instanceOf', 'holderOf']);
