/**
 * What a person does in their calendar, said once for both providers: end-to-end tests and the chaos
 * run describe a change ("the contact invites the user", "the user makes the event private") and this
 * module says it to the Google or Microsoft emulator in that provider's own terms.
 */
import { randomUUID } from 'node:crypto';
import { findWindows } from 'windows-iana';
import { wallTimeOf } from '../../lib/time-zones';
import type { ProviderName } from '../../model/calendar-event';
import type { GoogleEmulator } from './google';
import type { MicrosoftEmulator } from './microsoft';
import type { Invitation } from './microsoft/control';

/** The emulators the actions go to (a test harness or the chaos run's stack). */
export interface Emulators {
  google: GoogleEmulator;
  microsoft: MicrosoftEmulator;
}

export interface EventSpec {
  title: string;
  /** Instants (ISO-8601); with `allDay`, dates (`2026-12-10`), the end exclusive. */
  start: string;
  end: string;
  /** IANA zone the event is scheduled in (UTC when absent). */
  timeZone?: string;
  allDay?: boolean;
  guests?: string[];
  /** Rooms and equipment. */
  resources?: string[];
  location?: string;
  description?: string;
  private?: boolean;
  outOfOffice?: boolean;
  /** With an online meeting: Google Meet, Microsoft Teams. In a patch, `false` removes it. */
  conference?: boolean;
}

export type EventPatch = Partial<EventSpec>;

export type GuestAnswer = 'accepted' | 'declined' | 'tentative' | 'none';

export interface CalendarEventView {
  id: string;
  /** The meeting's id across calendars (Google `iCalUID`, Graph `iCalUId`). */
  iCalUID: string;
  title: string;
  start: string;
  end: string;
  /** Lower-case emails of the attendees (resources included). */
  guests: string[];
  /** Each attendee's answer, by lower-case email. */
  answers: Record<string, GuestAnswer>;
  /** Lower-case email of the organizer. */
  organizer: string;
  private: boolean;
  outOfOffice: boolean;
  cancelled: boolean;
  /** The online meeting's join URL (Google's `video` entry point, Graph's `onlineMeeting.joinUrl`). */
  conferenceUrl: string | null;
}

export interface CalendarActions {
  /** As the user, in their own calendar; returns the event id. */
  createEvent(userEmail: string, spec: EventSpec): Promise<string>;
  /** A weekly series of `weeks` occurrences; returns the series master id. */
  createSeries(userEmail: string, spec: EventSpec & { weeks: number }): Promise<string>;
  /** An outside contact invites the user; returns the id in the user's calendar. */
  invite(userEmail: string, fromContact: string, spec: Omit<EventSpec, 'guests'>): Promise<string>;
  updateEvent(userEmail: string, id: string, patch: EventPatch): Promise<void>;
  /** The organizer deletes (cancels) the event. */
  deleteEvent(userEmail: string, id: string): Promise<void>;
  /** An attendee who is a user removes their copy of an event `organizerEventId` names. */
  deleteCopy(attendeeEmail: string, organizerEventId: string): Promise<void>;
  cancelOccurrence(userEmail: string, masterId: string, originalStart: string): Promise<void>;
  /** One week of a series moved to another time: an exception, with its own meeting once synced. */
  moveOccurrence(userEmail: string, masterId: string, originalStart: string, start: string, end: string): Promise<void>;
  setResponse(userEmail: string, eventId: string, guestEmail: string, response: 'accepted' | 'declined' | 'tentative'): Promise<void>;
  events(userEmail: string): Promise<CalendarEventView[]>;
  liveChannels(userEmail: string): Promise<{ id: string; expiresAt: string }[]>;
  isChannelStopped(id: string): Promise<boolean>;
  outbox(): { to: string; eventId: string; kind: string }[];
  /** The service's next `count` listings, creates, patches or deletes fail with `status` (and `Retry-After` when given). */
  failNext(call: 'list' | 'create' | 'patch' | 'delete', count: number, status: number, retryAfterSeconds?: number): void;
  calls(endpoint: 'token'): number;
  expireAccessTokens(email: string): void;
  revokeGrant(email: string): void;
  invalidateCursor(email: string): void;
  dropNotifications(on: boolean): void;
  duplicateNotifications(on: boolean): void;
}

/** The providers whose emulators the end-to-end tests drive. */
export const E2E_PROVIDERS: ProviderName[] = ['GOOGLE', 'MICROSOFT'];

/** `days` from today (UTC) at `hour`:00 UTC, as the API renders instants. */
export function inDays(days: number, hour: number): string {
  const today = new Date();
  return new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + days, hour)).toISOString();
}

export function calendarActions(harness: Emulators, provider: ProviderName): CalendarActions {
  return provider === 'GOOGLE' ? googleActions(harness) : microsoftActions(harness);
}

const lower = (email: string) => email.trim().toLowerCase();

function googleActions(harness: Emulators): CalendarActions {
  const control = harness.google.control;
  const googleTime = (at: string, spec: EventPatch) => ({ ...(spec.allDay ? { date: at } : { dateTime: at }), ...(spec.timeZone ? { timeZone: spec.timeZone } : {}) });
  const body = (spec: EventPatch): Record<string, unknown> => ({
    ...(spec.title !== undefined ? { summary: spec.title } : {}),
    ...(spec.start !== undefined ? { start: googleTime(spec.start, spec) } : {}),
    ...(spec.end !== undefined ? { end: googleTime(spec.end, spec) } : {}),
    ...(spec.location !== undefined ? { location: spec.location } : {}),
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    ...(spec.private !== undefined ? { visibility: spec.private ? 'private' : 'default' } : {}),
    ...(spec.outOfOffice ? { eventType: 'outOfOffice' } : {}),
    ...(spec.guests || spec.resources
      ? { attendees: [...(spec.guests ?? []).map((email) => ({ email })), ...(spec.resources ?? []).map((email) => ({ email, resource: true }))] }
      : {}),
    // As Calendar's "Add Google Meet video conferencing" does: a new request each time.
    ...(spec.conference !== undefined
      ? { conferenceData: spec.conference ? { createRequest: { requestId: randomUUID(), conferenceSolutionKey: { type: 'hangoutsMeet' } } } : null }
      : {}),
  });
  const googleAnswer = (status: string | undefined): GuestAnswer => (status === 'accepted' || status === 'declined' || status === 'tentative' ? status : 'none');
  const instant = (time: { dateTime?: string; date?: string } | undefined) => new Date(time?.dateTime ?? time?.date ?? NaN).toISOString();
  const view = (event: Record<string, any>): CalendarEventView => ({
    id: event.id,
    iCalUID: event.iCalUID,
    title: event.summary,
    start: instant(event.start),
    end: instant(event.end),
    guests: (event.attendees ?? []).map((a: { email: string }) => lower(a.email)),
    answers: Object.fromEntries((event.attendees ?? []).map((a: { email: string; responseStatus?: string }) => [lower(a.email), googleAnswer(a.responseStatus)])),
    organizer: lower(event.organizer?.email ?? ''),
    private: event.visibility === 'private' || event.visibility === 'confidential',
    outOfOffice: event.eventType === 'outOfOffice',
    cancelled: event.status === 'cancelled',
    conferenceUrl: event.conferenceData?.entryPoints?.find((e: { entryPointType: string }) => e.entryPointType === 'video')?.uri ?? null,
  });
  return {
    async createEvent(userEmail, spec) {
      return control.userCreateEvent(userEmail, body(spec)).id as string;
    },
    async createSeries(userEmail, { weeks, ...spec }) {
      return control.userCreateEvent(userEmail, { ...body(spec), recurrence: [`RRULE:FREQ=WEEKLY;COUNT=${weeks}`] }).id as string;
    },
    async invite(userEmail, fromContact, spec) {
      const { start, end, ...rest } = body(spec);
      return control.inviteUser(userEmail, { ...rest, organizer: fromContact, start: start as { dateTime: string }, end: end as { dateTime: string } }).id as string;
    },
    async updateEvent(userEmail, id, patch) {
      const update = body(patch);
      if (update.attendees) {
        // As Calendar's own UI does: guests who stay keep their answers (a patch replaces the list).
        const current = (control.getEvent(userEmail, id)?.attendees ?? []) as { email: string; responseStatus?: string }[];
        const answers = new Map(current.map((a) => [lower(a.email), a.responseStatus]));
        update.attendees = (update.attendees as { email: string }[]).map((a) => ({ ...a, responseStatus: answers.get(lower(a.email)) }));
      }
      control.userUpdateEvent(userEmail, id, update);
    },
    async deleteEvent(userEmail, id) {
      control.userDeleteEvent(userEmail, id);
    },
    async deleteCopy(attendeeEmail, organizerEventId) {
      control.userDeleteEvent(attendeeEmail, organizerEventId); // Google: the same event id in every calendar
    },
    async cancelOccurrence(userEmail, masterId, originalStart) {
      control.userCancelInstance(userEmail, masterId, originalStart);
    },
    async moveOccurrence(userEmail, masterId, originalStart, start, end) {
      control.userMoveInstance(userEmail, masterId, originalStart, start, end);
    },
    async setResponse(userEmail, eventId, guestEmail, response) {
      control.userSetResponse(userEmail, eventId, guestEmail, response);
    },
    async events(userEmail) {
      return control.listEvents(userEmail).map(view);
    },
    async liveChannels(userEmail) {
      return control.channels(userEmail).filter((c) => c.live).map((c) => ({ id: c.id, expiresAt: c.expiresAt }));
    },
    async isChannelStopped(id) {
      return control.channels().some((c) => c.id === id && c.stopped);
    },
    outbox: () => control.outbox(),
    failNext(call, count, status, retryAfterSeconds) {
      control.failNext(call === 'create' ? 'events.insert' : `events.${call}`, count, { status, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) });
    },
    calls: () => control.callCounts()['oauth.token'] ?? 0,
    expireAccessTokens: (email) => void control.expireAccessTokens(email),
    revokeGrant: (email) => void control.revokeRefreshTokens(email),
    invalidateCursor: (email) => control.invalidateSyncTokens(email),
    dropNotifications: (on) => control.setNotificationFaults({ drop: on }),
    duplicateNotifications: (on) => control.setNotificationFaults({ duplicate: on }),
  };
}

function microsoftActions(harness: Emulators): CalendarActions {
  // Looked up per call: the emulator is the harness's, however late a test reaches for it.
  const control = () => harness.microsoft.control;
  // Local wall time in the event's zone, named the Windows way as Outlook names it.
  const graphTime = (at: string, spec: EventPatch) => {
    const zone = spec.timeZone ?? 'UTC';
    const dateTime = spec.allDay ? `${at}T00:00:00` : wallTimeOf(Date.parse(at), zone);
    return { dateTime, timeZone: findWindows(zone)[0] ?? zone };
  };
  const body = (spec: EventPatch): Record<string, unknown> => ({
    ...(spec.title !== undefined ? { subject: spec.title } : {}),
    ...(spec.start !== undefined ? { start: graphTime(spec.start, spec) } : {}),
    ...(spec.end !== undefined ? { end: graphTime(spec.end, spec) } : {}),
    ...(spec.allDay !== undefined ? { isAllDay: spec.allDay } : {}),
    ...(spec.location !== undefined ? { location: { displayName: spec.location } } : {}),
    ...(spec.description !== undefined ? { body: { contentType: 'text', content: spec.description } } : {}),
    ...(spec.private !== undefined ? { sensitivity: spec.private ? 'private' : 'normal' } : {}),
    ...(spec.outOfOffice ? { showAs: 'oof' } : {}),
    ...(spec.conference ? { isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' } : {}),
    ...(spec.guests || spec.resources
      ? {
          attendees: [
            ...(spec.guests ?? []).map((address) => ({ type: 'required', emailAddress: { address } })),
            ...(spec.resources ?? []).map((address) => ({ type: 'resource', emailAddress: { address } })),
          ],
        }
      : {}),
  });
  const utc = (time: { dateTime: string }) => new Date(`${String(time.dateTime).replace(/(\.\d{3})\d*$/, '$1')}Z`).toISOString();
  const graphAnswer = (response: string | undefined): GuestAnswer =>
    response === 'accepted' ? 'accepted' : response === 'declined' ? 'declined' : response === 'tentativelyAccepted' ? 'tentative' : 'none';
  const view = (event: Record<string, any>): CalendarEventView => ({
    id: event.id,
    iCalUID: event.iCalUId,
    title: event.subject,
    start: utc(event.start),
    end: utc(event.end),
    guests: (event.attendees ?? []).map((a: { emailAddress: { address: string } }) => lower(a.emailAddress.address)),
    answers: Object.fromEntries(
      (event.attendees ?? []).map((a: { emailAddress: { address: string }; status?: { response?: string } }) => [lower(a.emailAddress.address), graphAnswer(a.status?.response)]),
    ),
    organizer: lower(event.organizer?.emailAddress?.address ?? ''),
    private: event.sensitivity === 'private',
    outOfOffice: event.showAs === 'oof',
    cancelled: Boolean(event.isCancelled || event.deleted),
    conferenceUrl: event.onlineMeeting?.joinUrl ?? null,
  });
  const idOf = (event: Record<string, unknown>) => event.id as string;
  return {
    async createEvent(userEmail, spec) {
      return idOf(control().userCreateEvent(userEmail, body(spec)));
    },
    async createSeries(userEmail, { weeks, ...spec }) {
      // The series repeats in its own zone: its weekday and first date are the local ones there.
      const zone = spec.timeZone ?? 'UTC';
      const day = new Date(spec.start).toLocaleDateString('en-US', { weekday: 'long', timeZone: zone }).toLowerCase();
      const startDate = wallTimeOf(Date.parse(spec.start), zone).slice(0, 10);
      const recurrence = { pattern: { type: 'weekly', interval: 1, daysOfWeek: [day] }, range: { type: 'numbered', startDate, numberOfOccurrences: weeks } };
      return idOf(control().userCreateEvent(userEmail, { ...body(spec), recurrence }));
    },
    async invite(userEmail, fromContact, spec) {
      const { start, end, ...rest } = body(spec);
      return idOf(control().inviteUser(userEmail, { ...rest, organizer: fromContact, start: start as Invitation['start'], end: end as Invitation['end'] }));
    },
    async updateEvent(userEmail, id, patch) {
      // Graph cannot take a Teams meeting off an event; the user in Outlook can.
      if (patch.conference === false) control().userRemoveOnlineMeeting(userEmail, id);
      const update = body(patch);
      if (patch.conference !== false || Object.keys(update).length > 0) control().userUpdateEvent(userEmail, id, update);
    },
    async deleteEvent(userEmail, id) {
      control().userDeleteEvent(userEmail, id);
    },
    async deleteCopy(attendeeEmail, organizerEventId) {
      // Exchange gives each attendee's copy its own id; the iCalUId is shared.
      const { iCalUId } = control().findEvent(organizerEventId);
      const copy = control().listEvents(attendeeEmail).find((e) => e.iCalUId === iCalUId && !e.deleted);
      if (!copy) throw new Error(`${attendeeEmail} holds no copy of event ${organizerEventId}`);
      control().userDeleteEvent(attendeeEmail, idOf(copy));
    },
    async cancelOccurrence(userEmail, masterId, originalStart) {
      control().userCancelOccurrence(userEmail, masterId, originalStart);
    },
    async moveOccurrence(userEmail, masterId, originalStart, start, end) {
      control().userMoveOccurrence(userEmail, masterId, originalStart, start, end);
    },
    async setResponse(userEmail, eventId, guestEmail, response) {
      control().userSetResponse(userEmail, eventId, guestEmail, response);
    },
    async events(userEmail) {
      return control().listEvents(userEmail).map(view);
    },
    async liveChannels(userEmail) {
      return control().subscriptions(userEmail).filter((s) => s.live).map((s) => ({ id: s.id, expiresAt: s.expirationDateTime }));
    },
    async isChannelStopped(id) {
      return !control().subscriptions().some((s) => s.id === id && s.live);
    },
    outbox: () => control().outbox(),
    failNext(call, count, status, retryAfterSeconds) {
      control().failNext(call === 'list' ? 'events.delta' : `events.${call}`, count, { status, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) });
    },
    calls: () => control().callCounts()['oauth.token'] ?? 0,
    expireAccessTokens: (email) => void control().expireAccessTokens(email),
    revokeGrant: (email) => void control().revokeRefreshTokens(email),
    invalidateCursor: (email) => control().invalidateDeltaTokens(email),
    dropNotifications: (on) => control().setNotificationFaults({ drop: on }),
    duplicateNotifications: (on) => control().setNotificationFaults({ duplicate: on }),
  };
}
