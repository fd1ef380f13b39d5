/**
 * `CalendarProvider` for Google Calendar, through the unmodified `googleapis` client. Only the
 * user's primary calendar. gaxios retries are off: Temporal's activity retry policy is the one retry
 * layer (gaxios would retry GETs on 429/5xx ignoring `Retry-After`, multiplying attempts).
 */
import { google, type calendar_v3 } from './googleapis';
import { ProviderError } from '../errors';
import type { CalendarEvent, EventTime } from '../../model/calendar-event';
import type { CalendarProvider, ChangesPage, CreateChannelRequest, CreateEventOptions, EventInput, ListChangesRequest, PushChannel } from '../types';
import { mapGoogleError, type GoogleCallContext } from './errors';
import { mapGoogleEvent } from './map-event';

export interface GoogleCalendarOptions {
  /** googleapis `rootUrl` (`https://www.googleapis.com/` when absent). */
  rootUrl?: string;
  /** A valid access token at call time (the caller refreshes and stores tokens). */
  accessToken: () => Promise<string>;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

const PAGE_SIZE = 250;

/**
 * The Google event id for a CRM-chosen client id, so a retried create hits `409` instead of making a
 * second event. Google ids allow only base32hex (`a-v`, `0-9`): a UUID's hex digits pass as they are
 * (`crm0` + 32 digits); any other id is hex-encoded (`crm1` + hex of its UTF-8).
 */
export function googleEventIdFor(clientId: string): string {
  if (/^[0-9a-f-]+$/i.test(clientId)) return `crm0${clientId.replace(/-/g, '').toLowerCase()}`;
  return `crm1${Buffer.from(clientId, 'utf8').toString('hex')}`;
}

/**
 * A Meet conference for a created event. The request id is the create's client id (the CRM record's
 * id), so a create sent again asks for the same conference: Google ignores a create request whose id
 * repeats the previous one ("If an ID provided is the same as for the previous request, the request
 * is ignored", CreateConferenceRequest). Google reads it only with `conferenceDataVersion=1`.
 */
function meetRequest(clientId: string): calendar_v3.Schema$ConferenceData {
  return { createRequest: { requestId: clientId, conferenceSolutionKey: { type: 'hangoutsMeet' } } };
}

/**
 * An all-day boundary is a `date`, anything else a `dateTime`; the other one is sent as `null`, as a
 * patch merges `start`/`end` key by key and an event turned all-day (or back) must not keep both
 * (Google's answer on apps-api-issues #3110).
 */
function toGoogleTime(time: EventTime): calendar_v3.Schema$EventDateTime {
  const zone = time.timeZone ? { timeZone: time.timeZone } : {};
  if (time.allDay) return { date: time.dateTime.slice(0, 10), dateTime: null, ...zone };
  return { dateTime: time.dateTime, date: null, ...zone };
}

export class GoogleCalendar implements CalendarProvider {
  readonly name = 'GOOGLE' as const;
  private readonly api: calendar_v3.Calendar;

  constructor(private readonly options: GoogleCalendarOptions) {
    this.api = google.calendar({
      version: 'v3',
      ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}),
      retry: false,
      retryConfig: { retry: 0 },
      timeout: options.timeoutMs ?? 30_000,
    });
  }

  async listChanges(request: ListChangesRequest): Promise<ChangesPage> {
    const { cursor, page, window } = request;
    // Google refuses window and filters next to a sync token: an incremental listing sends only the token.
    const params: calendar_v3.Params$Resource$Events$List = cursor
      ? { calendarId: 'primary', syncToken: cursor, maxResults: PAGE_SIZE }
      : { calendarId: 'primary', singleEvents: false, showDeleted: false, maxResults: PAGE_SIZE, ...(window ? { timeMin: window.start, timeMax: window.end } : {}) };
    if (page) params.pageToken = page;
    const data = await this.call('sync', (options) => this.api.events.list(params, options));
    return {
      events: (data.items ?? []).map(mapGoogleEvent),
      ...(data.nextPageToken ? { nextPage: data.nextPageToken } : {}),
      ...(data.nextSyncToken ? { cursor: data.nextSyncToken } : {}),
    };
  }

  async getEvent(id: string): Promise<CalendarEvent | undefined> {
    try {
      return mapGoogleEvent(await this.call('event', (options) => this.api.events.get({ calendarId: 'primary', eventId: id }, options)));
    } catch (error) {
      if (error instanceof ProviderError && error.kind === 'notFound') return undefined;
      throw error;
    }
  }

  async createEvent(input: EventInput, options: CreateEventOptions): Promise<CalendarEvent> {
    const id = googleEventIdFor(options.clientId);
    const crmMarks = {
      ...(options.crmMeetingId ? { crmMeetingId: options.crmMeetingId } : {}),
      ...(options.crmOutOfOfficeId ? { crmOutOfOfficeId: options.crmOutOfOfficeId } : {}),
    };
    const requestBody: calendar_v3.Schema$Event = {
      id,
      summary: input.title,
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.location !== undefined ? { location: input.location } : {}),
      start: toGoogleTime(input.start),
      end: toGoogleTime(input.end),
      ...(Object.keys(crmMarks).length > 0 ? { extendedProperties: { private: crmMarks } } : {}),
      ...(input.conference && !input.outOfOffice ? { conferenceData: meetRequest(options.clientId) } : {}),
      ...(input.outOfOffice
        ? { eventType: 'outOfOffice', transparency: 'opaque', outOfOfficeProperties: { autoDeclineMode: 'declineNone' } }
        : { attendees: input.attendees.map((a) => ({ email: a.email, ...(a.name ? { displayName: a.name } : {}) })) }),
    };
    try {
      const conference = requestBody.conferenceData ? { conferenceDataVersion: 1 } : {};
      const created = await this.call('event', (o) => this.api.events.insert({ calendarId: 'primary', sendUpdates: 'all', ...conference, requestBody }, o));
      return mapGoogleEvent(created);
    } catch (error) {
      // A retry of a create that already succeeded: the id is taken, so the event is ours.
      if (error instanceof ProviderError && error.kind === 'conflict') {
        const existing = await this.getEvent(id);
        if (existing) return existing;
      }
      throw error;
    }
  }

  async patchEvent(id: string, patch: Partial<EventInput>, options: { notify: boolean }): Promise<CalendarEvent> {
    const requestBody: calendar_v3.Schema$Event = {};
    if (patch.title !== undefined) requestBody.summary = patch.title;
    if (patch.description !== undefined) requestBody.description = patch.description;
    if (patch.location !== undefined) requestBody.location = patch.location;
    if (patch.start) requestBody.start = toGoogleTime(patch.start);
    if (patch.end) requestBody.end = toGoogleTime(patch.end);
    if (patch.attendees) requestBody.attendees = await this.mergedAttendees(id, patch.attendees);
    const sendUpdates = options.notify ? 'all' : 'none';
    return mapGoogleEvent(await this.call('event', (o) => this.api.events.patch({ calendarId: 'primary', eventId: id, sendUpdates, requestBody }, o)));
  }

  async deleteEvent(id: string, options: { notify: boolean }): Promise<void> {
    try {
      await this.call('event', (o) => this.api.events.delete({ calendarId: 'primary', eventId: id, sendUpdates: options.notify ? 'all' : 'none' }, o));
    } catch (error) {
      if (error instanceof ProviderError && error.kind === 'notFound') return; // 404 or 410: already gone
      throw error;
    }
  }

  async createChannel(request: CreateChannelRequest): Promise<PushChannel> {
    const requestBody: calendar_v3.Schema$Channel = {
      id: request.channelId,
      type: 'web_hook',
      address: request.address,
      token: request.secret,
      expiration: String(Date.parse(request.expiresAt)),
    };
    const channel = await this.call('channel', (o) => this.api.events.watch({ calendarId: 'primary', requestBody }, o));
    return {
      id: channel.id ?? request.channelId,
      ...(channel.resourceId ? { resourceId: channel.resourceId } : {}),
      secret: request.secret,
      // Google may grant less than asked: its expiration is the truth.
      expiresAt: channel.expiration ? new Date(Number(channel.expiration)).toISOString() : request.expiresAt,
    };
  }

  /** Google cannot extend a channel: a new one; the caller stops the old one once this succeeded. */
  async renewChannel(_channel: PushChannel, request: CreateChannelRequest): Promise<PushChannel> {
    return this.createChannel(request);
  }

  async stopChannel(channel: PushChannel): Promise<void> {
    try {
      await this.call('channel', (o) => this.api.channels.stop({ requestBody: { id: channel.id, resourceId: channel.resourceId } }, o));
    } catch (error) {
      if (error instanceof ProviderError && error.kind === 'notFound') return; // already stopped or expired
      throw error;
    }
  }

  async stopUnrecordedChannels(request: Parameters<CalendarProvider['stopUnrecordedChannels']>[0]): Promise<number> {
    if (!request.resourceId) return 0;
    let stopped = 0;
    for (const id of request.candidateIds) {
      try {
        await this.call('channel', (o) => this.api.channels.stop({ requestBody: { id, resourceId: request.resourceId } }, o));
        stopped += 1;
      } catch (error) {
        if (!(error instanceof ProviderError && error.kind === 'notFound')) throw error; // never created: nothing to stop
      }
    }
    return stopped;
  }

  /**
   * Google replaces the attendee list on patch: keep the answers of guests who stay, the organizer's
   * own entry and rooms, so that editing the guests does not reset everyone to "needs action".
   */
  private async mergedAttendees(id: string, wanted: EventInput['attendees']): Promise<calendar_v3.Schema$EventAttendee[]> {
    const current = await this.call('event', (o) => this.api.events.get({ calendarId: 'primary', eventId: id }, o));
    const existing = new Map((current.attendees ?? []).map((a) => [a.email?.toLowerCase(), a]));
    const kept = (current.attendees ?? []).filter((a) => a.organizer || a.resource);
    const keptEmails = new Set(kept.map((a) => a.email?.toLowerCase()));
    const guests = wanted
      .filter((guest) => !keptEmails.has(guest.email.toLowerCase()))
      .map((guest) => existing.get(guest.email.toLowerCase()) ?? { email: guest.email, ...(guest.name ? { displayName: guest.name } : {}) });
    return [...kept, ...guests];
  }

  private async call<T>(context: GoogleCallContext, run: (options: { headers: Record<string, string> }) => Promise<{ data: T }>): Promise<T> {
    const token = await this.options.accessToken();
    try {
      return (await run({ headers: { Authorization: `Bearer ${token}` } })).data;
    } catch (error) {
      throw mapGoogleError(error, context);
    }
  }
}
