/**
 * `CalendarProvider` for Outlook through the unmodified Microsoft Graph client. Its middleware chain
 * is authentication then our own HTTPS handler — no RetryHandler: Temporal's activity retries are the
 * one retry policy (the RetryHandler would also replay POSTs). Only the user's default calendar.
 *
 * Graph's calendarView delta lists occurrences, never series masters; the service treats a series'
 * master as its first occurrence (SPEC §4.6), so the first time a listing page meets a series the
 * adapter fetches its master and lists it too.
 */
import { AuthenticationHandler, Client, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { ProviderError } from '../errors';
import type { CalendarEvent, CalendarProvider, ChangesPage, CreateChannelRequest, EventInput, ListChangesRequest, PushChannel } from '../types';
import { mapGraphError } from './errors';
import { httpsRequest } from './https';
import { CRM_TRANSACTION_PREFIX, mapGraphEvent, type GraphEvent } from './map-event';

export interface MicrosoftCalendarOptions {
  /** Graph root without the version (`https://graph.microsoft.com` when absent). */
  baseUrl?: string;
  accessToken: () => Promise<string>;
  /** An extra CA to trust (the emulator's). */
  ca?: string;
}

const GRAPH_HOST = 'graph.microsoft.com';
const PAGE_SIZE = 100;
const PREFER = `odata.maxpagesize=${PAGE_SIZE}, outlook.timezone="UTC"`;

/** The Graph client's last middleware: sends the request with node:https (and the extra CA). */
class HttpsHandler implements Middleware {
  constructor(private readonly ca: string | undefined) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : (context.request as Request).url;
    const options = context.options ?? {};
    const headers: Record<string, string> = {};
    new Headers(options.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, key) => (headers[key] = value));
    const raw = await httpsRequest(url, { method: options.method ?? 'GET', headers, body: typeof options.body === 'string' ? options.body : undefined }, this.ca);
    context.response = new Response([204, 304].includes(raw.status) ? null : raw.body, { status: raw.status, headers: raw.headers });
  }
}

const graphTime = (iso: string) => ({ dateTime: new Date(iso).toISOString().replace('Z', ''), timeZone: 'UTC' });

/** Graph's `transactionId` is a client-chosen string; `crm-` + a UUID stays well within its limits. */
export const transactionIdFor = (clientId: string) => `${CRM_TRANSACTION_PREFIX}${clientId}`;

function graphBody(input: Partial<EventInput>): Record<string, unknown> {
  return {
    ...(input.title !== undefined ? { subject: input.title } : {}),
    ...(input.description !== undefined ? { body: { contentType: 'text', content: input.description } } : {}),
    ...(input.location !== undefined ? { location: { displayName: input.location } } : {}),
    ...(input.start ? { start: graphTime(input.start.dateTime), isAllDay: input.start.allDay === true } : {}),
    ...(input.end ? { end: graphTime(input.end.dateTime) } : {}),
    ...(input.attendees ? { attendees: input.attendees.map((a) => ({ type: 'required', emailAddress: { address: a.email, ...(a.name ? { name: a.name } : {}) } })) } : {}),
    ...(input.outOfOffice ? { showAs: 'oof', attendees: [] } : {}),
  };
}

export class MicrosoftCalendar implements CalendarProvider {
  readonly name = 'MICROSOFT' as const;
  private readonly client: Client;

  constructor(options: MicrosoftCalendarOptions) {
    const baseUrl = (options.baseUrl ?? `https://${GRAPH_HOST}`).replace(/\/$/, '');
    const host = new URL(baseUrl).hostname;
    const auth = new AuthenticationHandler({ getAccessToken: options.accessToken });
    auth.setNext(new HttpsHandler(options.ca));
    this.client = Client.initWithMiddleware({
      middleware: auth,
      baseUrl,
      defaultVersion: 'v1.0',
      // The client attaches the token only to Graph's hosts and these.
      ...(host !== GRAPH_HOST ? { customHosts: new Set([host]) } : {}),
    });
  }

  async listChanges(request: ListChangesRequest): Promise<ChangesPage> {
    const { cursor, page, window } = request;
    let path: string;
    if (page ?? cursor) path = (page ?? cursor)!;
    else if (window) path = `/me/calendarView/delta?startDateTime=${encodeURIComponent(window.start)}&endDateTime=${encodeURIComponent(window.end)}`;
    else throw new ProviderError('invalid', 'a first Graph delta call needs a window');
    const body = await this.call('list changes', () => this.client.api(path).header('Prefer', PREFER).get()) as { value: GraphEvent[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
    const events = body.value.map((item) => mapGraphEvent(item));
    return {
      events: [...(await this.seriesMasters(events)), ...events],
      ...(body['@odata.nextLink'] ? { nextPage: body['@odata.nextLink'] } : {}),
      ...(body['@odata.deltaLink'] ? { cursor: body['@odata.deltaLink'] } : {}),
    };
  }

  async getEvent(id: string): Promise<CalendarEvent | undefined> {
    try {
      return mapGraphEvent(await this.call('get event', () => this.client.api(`/me/events/${encodeURIComponent(id)}`).header('Prefer', PREFER).get()));
    } catch (error) {
      if (error instanceof ProviderError && error.kind === 'notFound') return undefined;
      throw error;
    }
  }

  /** Creates the event; Outlook sends the invitations. A retry with the same `clientId` returns the first event. */
  async createEvent(input: EventInput, options: { clientId: string; crmMeetingId?: string }): Promise<CalendarEvent> {
    const body = { ...graphBody(input), transactionId: transactionIdFor(options.clientId) };
    return mapGraphEvent(await this.call('create event', () => this.client.api('/me/events').header('Prefer', PREFER).post(body)));
  }

  /** Outlook notifies attendees of an organizer's change itself; `notify` cannot turn that off. */
  async patchEvent(id: string, patch: Partial<EventInput>, _options: { notify: boolean }): Promise<CalendarEvent> {
    return mapGraphEvent(await this.call('patch event', () => this.client.api(`/me/events/${encodeURIComponent(id)}`).header('Prefer', PREFER).patch(graphBody(patch))));
  }

  async deleteEvent(id: string, _options: { notify: boolean }): Promise<void> {
    try {
      await this.call('delete event', () => this.client.api(`/me/events/${encodeURIComponent(id)}`).delete());
    } catch (error) {
      if (!(error instanceof ProviderError && error.kind === 'notFound')) throw error;
    }
  }

  async createChannel(request: CreateChannelRequest): Promise<PushChannel> {
    const created = (await this.call('create subscription', () =>
      this.client.api('/subscriptions').post({
        changeType: 'created,updated,deleted',
        notificationUrl: request.address,
        ...(request.lifecycleAddress ? { lifecycleNotificationUrl: request.lifecycleAddress } : {}),
        resource: 'me/events',
        expirationDateTime: request.expiresAt,
        clientState: request.secret,
      }),
    )) as { id: string; expirationDateTime: string };
    return { id: created.id, secret: request.secret, expiresAt: new Date(created.expirationDateTime).toISOString() };
  }

  /** Graph renews in place: PATCH of the expiry, same id and clientState. */
  async renewChannel(channel: PushChannel, request: CreateChannelRequest): Promise<PushChannel> {
    const renewed = (await this.call('renew subscription', () =>
      this.client.api(`/subscriptions/${encodeURIComponent(channel.id)}`).patch({ expirationDateTime: request.expiresAt }),
    )) as { expirationDateTime: string };
    return { ...channel, expiresAt: new Date(renewed.expirationDateTime).toISOString() };
  }

  async stopChannel(channel: PushChannel): Promise<void> {
    try {
      await this.call('delete subscription', () => this.client.api(`/subscriptions/${encodeURIComponent(channel.id)}`).delete());
    } catch (error) {
      if (!(error instanceof ProviderError && error.kind === 'notFound')) throw error;
    }
  }

  /** The masters of the series this page's occurrences and exceptions belong to. */
  private async seriesMasters(events: CalendarEvent[]): Promise<CalendarEvent[]> {
    const masterIds = [...new Set(events.flatMap((e) => (e.seriesMasterId ? [e.seriesMasterId] : [])))];
    const masters = await Promise.all(masterIds.map((id) => this.getEvent(id)));
    return masters.filter((m): m is CalendarEvent => m !== undefined && m.status !== 'cancelled');
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw mapGraphError(error, what);
    }
  }
}
