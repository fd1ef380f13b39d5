/**
 * `CalendarProvider` for Outlook (the user's default calendar) through the unmodified Microsoft Graph
 * client (graph-client.ts: no RetryHandler). Listing is calendarView delta: the window on the first
 * call only, then the opaque nextLink (`nextPage`) and deltaLink (`cursor`) as Graph gives them.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { ProviderError } from '../errors';
import type { CalendarEvent } from '../../model/calendar-event';
import type { CalendarProvider, ChangesPage, CreateChannelRequest, CreateEventOptions, EventInput, ListChangesRequest, PushChannel } from '../types';
import { mapGraphError } from './errors';
import { createGraphClient, type GraphClientOptions } from './graph-client';
import { mapGraphEvent, type GraphEvent } from './map-event';
import { completeOccurrences } from './series';
import { graphEventBody, onlineMeetingFields, transactionIdFor } from './write-body';

export interface MicrosoftCalendarOptions extends GraphClientOptions {
  /** The calendar owner's address, when known: marks that guest `self` (Graph has no such flag). */
  ownerEmail?: string;
}

const PAGE_SIZE = 100;
/** Every read asks for UTC times, so instants need no zone database. */
const UTC = 'outlook.timezone="UTC"';
const PREFER_PAGED = `odata.maxpagesize=${PAGE_SIZE}, ${UTC}`;

interface DeltaPage {
  value: GraphEvent[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/**
 * Graph's maximum subscription lifetime for Outlook events has been documented as both 4,230 and
 * 10,080 minutes, and refusals have been reported below the documented figure. A refused expiry is
 * asked again once, shorter: just under the limit the refusal names ("can only be N minutes in the
 * future"), else half the lifetime first asked for; never the same request twice.
 */
async function withShorterExpiryOnRefusal<T>(expiresAt: string, request: (expiresAt: string) => Promise<T>): Promise<T> {
  try {
    return await request(expiresAt);
  } catch (error) {
    if (!(error instanceof ProviderError && error.kind === 'invalid' && /expiration/i.test(error.message))) throw error;
    const now = Date.now();
    const asked = Date.parse(expiresAt) - now;
    const namedLimit = /(\d+)\s*minutes/i.exec(error.message);
    const underLimit = namedLimit ? Number(namedLimit[1]) * 60_000 - 5 * 60_000 : Number.NaN;
    const lifetime = underLimit > 0 && underLimit < asked ? underLimit : Math.max(60_000, asked / 2);
    return request(new Date(now + lifetime).toISOString());
  }
}

const isNotFound = (error: unknown) => error instanceof ProviderError && error.kind === 'notFound';

export class MicrosoftCalendar implements CalendarProvider {
  readonly name = 'MICROSOFT' as const;
  private readonly client: Client;
  private readonly ownerEmail: string | undefined;
  private readonly accessToken: () => Promise<string>;

  constructor(options: MicrosoftCalendarOptions) {
    this.client = createGraphClient(options);
    this.ownerEmail = options.ownerEmail;
    this.accessToken = options.accessToken;
  }

  async listChanges(request: ListChangesRequest): Promise<ChangesPage> {
    const { cursor, page, window } = request;
    const link = page ?? cursor;
    if (!link && !window) throw new ProviderError('invalid', 'a first Graph delta call needs a window');
    // nextLink/deltaLink are absolute URLs; the client sends them as they are (token included: customHosts).
    const path = link ?? `/me/calendarView/delta?startDateTime=${encodeURIComponent(window!.start)}&endDateTime=${encodeURIComponent(window!.end)}`;
    const body: DeltaPage = await this.call('list changes', () => this.client.api(path).header('Prefer', PREFER_PAGED).get());
    const items = await completeOccurrences(body.value ?? [], (id) => this.readEvent(id));
    return {
      events: items.map((item) => mapGraphEvent(item, this.ownerEmail)),
      ...(body['@odata.nextLink'] ? { nextPage: body['@odata.nextLink'] } : {}),
      ...(body['@odata.deltaLink'] ? { cursor: body['@odata.deltaLink'] } : {}),
    };
  }

  async getEvent(id: string): Promise<CalendarEvent | undefined> {
    const event = await this.readEvent(id);
    return event && mapGraphEvent(event, this.ownerEmail);
  }

  /** Creates the event; Outlook sends the invitations. A retry with the same ids returns the first event. */
  async createEvent(input: EventInput, options: CreateEventOptions): Promise<CalendarEvent> {
    const body = { ...graphEventBody(input), ...onlineMeetingFields(input), transactionId: transactionIdFor(options) };
    return this.mapped(await this.call('create event', () => this.client.api('/me/events').header('Prefer', UTC).post(body)));
  }

  /**
   * Outlook itself notifies attendees when the organizer changes the time, place or guests (new guests
   * get an invitation): Graph has no switch for it, so `notify` cannot turn that off.
   */
  async patchEvent(id: string, patch: Partial<EventInput>, _options: { notify: boolean }): Promise<CalendarEvent> {
    return this.mapped(await this.call('patch event', () => this.client.api(this.eventPath(id)).header('Prefer', UTC).patch(graphEventBody(patch))));
  }

  /** Deleting a meeting the user organizes cancels it for the guests (Outlook mails them); gone already is fine. */
  async deleteEvent(id: string, _options: { notify: boolean }): Promise<void> {
    await this.call('delete event', () => this.client.api(this.eventPath(id)).delete()).catch((error) => {
      if (!isNotFound(error)) throw error;
    });
  }

  async createChannel(request: CreateChannelRequest): Promise<PushChannel> {
    const created: { id: string; expirationDateTime: string } = await withShorterExpiryOnRefusal(request.expiresAt, (expiresAt) =>
      this.call('create subscription', () =>
        this.client.api('/subscriptions').post({
          changeType: 'created,updated,deleted',
          notificationUrl: request.address,
          ...(request.lifecycleAddress ? { lifecycleNotificationUrl: request.lifecycleAddress } : {}),
          resource: 'me/events',
          expirationDateTime: expiresAt,
          clientState: request.secret,
        }),
      ),
    );
    return { id: created.id, secret: request.secret, expiresAt: new Date(created.expirationDateTime).toISOString() };
  }

  /** Graph renews in place: PATCH of the expiry, same id and clientState. */
  async renewChannel(channel: PushChannel, request: CreateChannelRequest): Promise<PushChannel> {
    const renewed: { expirationDateTime: string } = await withShorterExpiryOnRefusal(request.expiresAt, (expirationDateTime) =>
      this.call('renew subscription', () => this.client.api(`/subscriptions/${encodeURIComponent(channel.id)}`).patch({ expirationDateTime })),
    );
    return { ...channel, expiresAt: new Date(renewed.expirationDateTime).toISOString() };
  }

  /** A subscription to our webhook that the service has no record of was made by a lost attempt. */
  async stopUnrecordedChannels(request: Parameters<CalendarProvider['stopUnrecordedChannels']>[0]): Promise<number> {
    const listed: { value?: { id: string; notificationUrl?: string }[] } = await this.call('list subscriptions', () => this.client.api('/subscriptions').get());
    const keep = new Set(request.keep);
    const orphans = (listed.value ?? []).filter((subscription) => subscription.notificationUrl === request.address && !keep.has(subscription.id));
    for (const orphan of orphans) await this.stopChannel({ id: orphan.id, secret: '', expiresAt: '' });
    return orphans.length;
  }

  async stopChannel(channel: PushChannel): Promise<void> {
    await this.call('delete subscription', () => this.client.api(`/subscriptions/${encodeURIComponent(channel.id)}`).delete()).catch((error) => {
      if (!isNotFound(error)) throw error;
    });
  }

  /** The raw event, or undefined when Graph no longer has it. */
  private async readEvent(id: string): Promise<GraphEvent | undefined> {
    return this.call('get event', () => this.client.api(this.eventPath(id)).header('Prefer', UTC).get()).catch((error) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
  }

  private eventPath(id: string): string {
    return `/me/events/${encodeURIComponent(id)}`;
  }

  private mapped(event: GraphEvent): CalendarEvent {
    return mapGraphEvent(event, this.ownerEmail);
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    // The token first, outside the client: a refresh refused for good (AuthRevoked) would reach us
    // from inside it as a status-less GraphError, indistinguishable from a network failure.
    await this.accessToken();
    try {
      return await request();
    } catch (error) {
      throw mapGraphError(error, what);
    }
  }
}
