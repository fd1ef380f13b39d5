/**
 * `events.watch` channels and their notifications. A channel gets one `sync` message when created,
 * then one `exists` per change of its calendar, until it expires or is stopped. Notifications carry
 * no body, only `X-Goog-*` headers, and are sent asynchronously (see WebhookSender); a retry is the
 * same message again, message number included.
 */
import type { Calendar, CalendarStore } from './calendar-store';
import { badRequest, GoogleApiError } from './errors';
import type { DeliveryPolicy, WebhookSender } from '../shared/webhook-sender';

/**
 * Google's push guide ("Responding to notifications", developers.google.com/calendar/api/guides/push):
 * 200, 201, 202, 204 and 102 mean success; 500, 502, 503 and 504 are retried with exponential
 * backoff; any other status is a failure, not retried. The guide is silent on receivers that never
 * answer: they are retried, like the 502/504 a proxy in front of them would answer.
 */
export const googleDeliveryPolicy: DeliveryPolicy = (status) => {
  if (status === undefined || [500, 502, 503, 504].includes(status)) return 'retry';
  return [200, 201, 202, 204, 102].includes(status) ? 'delivered' : 'failed';
};

export interface Channel {
  id: string;
  resourceId: string;
  resourceUri: string;
  address: string;
  token?: string;
  email: string;
  /** Expiry, ms since the epoch. */
  expiration: number;
  stopped: boolean;
  messageNumber: number;
  delivered: number;
  /** Notifications given up on: refused, or retried `maxAttempts` times in vain. */
  failed: number;
  /** Retry POSTs sent. */
  retries: number;
}

export interface ChannelView extends Omit<Channel, 'messageNumber'> {
  expiresAt: string;
  expired: boolean;
  live: boolean;
  lastMessageNumber: number;
}

export class PushChannels {
  private channels = new Map<string, Channel>();
  maxLifetimeMs: number;

  constructor(
    private readonly store: CalendarStore,
    private readonly sender: WebhookSender,
    private readonly rootUrl: string,
    maxLifetimeSeconds: number,
  ) {
    this.maxLifetimeMs = maxLifetimeSeconds * 1000;
  }

  reset(): void {
    this.channels.clear();
  }

  /** Every channel, stopped and expired ones too; resource URIs relative to the root, which a restart may move to another port. */
  snapshot(): Channel[] {
    return [...this.channels.values()].map((channel) => ({ ...channel, resourceUri: channel.resourceUri.slice(this.rootUrl.length) }));
  }

  restore(saved: Channel[]): void {
    this.channels = new Map(saved.map((channel) => [channel.id, { ...channel, resourceUri: `${this.rootUrl}${channel.resourceUri}` }]));
  }

  create(calendar: Calendar, calendarId: string, body: Record<string, unknown>): Channel {
    const { id, type, address, token, expiration } = body;
    if (typeof id !== 'string' || !/^[A-Za-z0-9\-_+/=]{1,64}$/.test(id)) throw badRequest('Invalid channel id.', 'required');
    if (type !== 'web_hook' && type !== 'webhook') throw badRequest(`Invalid channel type: ${String(type)}`, 'invalidChannelType');
    if (typeof address !== 'string' || !/^https?:\/\//.test(address)) throw badRequest('Invalid notification address.', 'pushWebhookBadDomain');
    if (this.channels.has(id)) throw new GoogleApiError(400, 'channelIdNotUnique', `Channel id ${id} not unique`, 'push');
    const now = Date.now();
    const requested = expiration === undefined || expiration === null ? Number.POSITIVE_INFINITY : Number(expiration);
    if (!Number.isFinite(requested) && requested !== Number.POSITIVE_INFINITY) throw badRequest('Invalid expiration.');
    const channel: Channel = {
      id,
      resourceId: calendar.resourceId,
      resourceUri: `${this.rootUrl}calendar/v3/calendars/${encodeURIComponent(calendarId)}/events?alt=json`,
      address,
      token: typeof token === 'string' ? token : undefined,
      email: calendar.ownerEmail,
      expiration: Math.min(requested, now + this.maxLifetimeMs),
      stopped: false,
      messageNumber: 0,
      delivered: 0,
      failed: 0,
      retries: 0,
    };
    this.channels.set(id, channel);
    this.deliver(channel, 'sync');
    return channel;
  }

  /** `channels.stop`: only the channel's own user, with its id and resourceId, can stop it. */
  stop(email: string, body: Record<string, unknown>): void {
    const channel = typeof body.id === 'string' ? this.channels.get(body.id) : undefined;
    if (!channel || channel.stopped || channel.resourceId !== body.resourceId || channel.email.toLowerCase() !== email.toLowerCase()) {
      throw new GoogleApiError(404, 'notFound', `Channel '${String(body.id)}' not found for project`);
    }
    channel.stopped = true;
  }

  /** One `exists` message to each live channel of the calendar. */
  notifyChange(calendar: Calendar): void {
    const now = Date.now();
    for (const channel of this.channels.values()) {
      if (channel.resourceId === calendar.resourceId && this.isLive(channel, now)) this.deliver(channel, 'exists');
    }
  }

  list(email?: string): ChannelView[] {
    const now = Date.now();
    return [...this.channels.values()]
      .filter((channel) => !email || channel.email.toLowerCase() === email.toLowerCase())
      .map(({ messageNumber, ...channel }) => ({
        ...channel,
        expiresAt: new Date(channel.expiration).toISOString(),
        expired: channel.expiration <= now,
        live: this.isLive({ ...channel, messageNumber }, now),
        lastMessageNumber: messageNumber,
      }));
  }

  private isLive(channel: Channel, now: number): boolean {
    return !channel.stopped && channel.expiration > now && !!this.store.user(channel.email);
  }

  private deliver(channel: Channel, state: 'sync' | 'exists'): void {
    channel.messageNumber += 1;
    const headers: Record<string, string> = {
      'X-Goog-Channel-ID': channel.id,
      'X-Goog-Channel-Expiration': new Date(channel.expiration).toUTCString(),
      'X-Goog-Message-Number': String(channel.messageNumber),
      'X-Goog-Resource-ID': channel.resourceId,
      'X-Goog-Resource-State': state,
      'X-Goog-Resource-URI': channel.resourceUri,
      ...(channel.token !== undefined ? { 'X-Goog-Channel-Token': channel.token } : {}),
    };
    this.sender.send({ url: channel.address, headers }, (outcome) => {
      if (outcome === 'delivered') channel.delivered += 1;
      else if (outcome === 'retried') channel.retries += 1;
      else channel.failed += 1;
    });
  }
}
