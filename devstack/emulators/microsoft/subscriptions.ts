/**
 * Graph change-notification subscriptions on a user's events. Creating one performs the validation
 * handshake against its notification (and lifecycle) URL and fails unless the token is echoed as
 * plain text in time; the expiry is capped; changes are really POSTed with the `clientState`, and
 * retried until answered 2xx; lifecycle notifications are sent on demand. `lifecycleNotificationUrl`
 * cannot be added by PATCH.
 */
import crypto from 'node:crypto';
import type { DeliveryPolicy, WebhookSender } from '../shared/webhook-sender';
import type { Mailbox } from './mailboxes';

/**
 * Graph retries every notification not answered 2xx — 4xx included — and every one that times out,
 * with exponential backoff, for up to 4 hours ("HTTP codes and retry logic" in
 * learn.microsoft.com/graph/change-notifications-delivery-webhooks: "If the service receives a
 * non-2xx HTTP response within that 3-second window, or if the request times out […], it continues
 * to retry delivery for up to 4 hours"); its "Authentication" section has Graph retrying even while
 * the endpoint's access token is expired. No answer makes it give up at once.
 */
export const graphDeliveryPolicy: DeliveryPolicy = (status) => (status !== undefined && status >= 200 && status < 300 ? 'delivered' : 'retry');

export interface Subscription {
  id: string;
  email: string;
  oid: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  expiresMs: number;
  deleted: boolean;
  delivered: number;
  /** Notifications given up on after `maxAttempts` POSTs. */
  failed: number;
  /** Retry POSTs sent. */
  retries: number;
}

export type LifecycleEvent = 'reauthorizationRequired' | 'missed' | 'subscriptionRemoved';

export class SubscriptionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const EVENTS_RESOURCE = /^\/?me\/(calendar\/)?events$/i;

export class Subscriptions {
  private byId = new Map<string, Subscription>();

  constructor(
    private readonly sender: WebhookSender,
    readonly options: { tenant: string; maxMinutes: number; validationTimeoutMs: number },
  ) {}

  async create(mailbox: Mailbox, body: Record<string, unknown>): Promise<Subscription> {
    const resource = String(body.resource ?? '');
    const notificationUrl = String(body.notificationUrl ?? '');
    const changeType = String(body.changeType ?? '');
    if (!EVENTS_RESOURCE.test(resource)) throw new SubscriptionError(400, 'ExtensionError', `resource ${resource} is not supported here (me/events)`);
    if (!/^https?:\/\//.test(notificationUrl)) throw new SubscriptionError(400, 'ValidationError', 'notificationUrl must be an http(s) URL');
    if (!changeType.split(',').every((c) => ['created', 'updated', 'deleted'].includes(c.trim()))) throw new SubscriptionError(400, 'ValidationError', `changeType ${changeType}`);
    const expiresMs = this.checkExpiry(body.expirationDateTime);
    const lifecycleNotificationUrl = body.lifecycleNotificationUrl ? String(body.lifecycleNotificationUrl) : undefined;
    await this.validate(notificationUrl);
    if (lifecycleNotificationUrl) await this.validate(lifecycleNotificationUrl);
    const subscription: Subscription = {
      id: crypto.randomUUID(),
      email: mailbox.email,
      oid: mailbox.oid,
      resource,
      changeType,
      notificationUrl,
      lifecycleNotificationUrl,
      clientState: body.clientState === undefined ? undefined : String(body.clientState),
      expiresMs,
      deleted: false,
      delivered: 0,
      failed: 0,
      retries: 0,
    };
    this.byId.set(subscription.id, subscription);
    return subscription;
  }

  update(mailbox: Mailbox, id: string, body: Record<string, unknown>): Subscription {
    const subscription = this.live(mailbox, id);
    if (body.lifecycleNotificationUrl !== undefined && body.lifecycleNotificationUrl !== subscription.lifecycleNotificationUrl) {
      throw new SubscriptionError(400, 'ValidationError', 'lifecycleNotificationUrl cannot be added or changed by PATCH; recreate the subscription');
    }
    subscription.expiresMs = this.checkExpiry(body.expirationDateTime);
    return subscription;
  }

  remove(mailbox: Mailbox, id: string): void {
    this.live(mailbox, id).deleted = true;
  }

  get(mailbox: Mailbox, id: string): Subscription {
    return this.live(mailbox, id);
  }

  /** `GET /subscriptions`: the mailbox's subscriptions neither deleted nor expired, oldest first. */
  ofMailbox(mailbox: Mailbox): Subscription[] {
    return [...this.byId.values()].filter((s) => s.email === mailbox.email && this.isLive(s));
  }

  /** Every subscription, dead ones included, for inspection. */
  list(email?: string): (Subscription & { live: boolean; expirationDateTime: string })[] {
    return [...this.byId.values()]
      .filter((s) => !email || s.email === email.toLowerCase())
      .map((s) => ({ ...s, live: this.isLive(s), expirationDateTime: new Date(s.expiresMs).toISOString() }));
  }

  clear(): void {
    this.byId.clear();
  }

  /** Every subscription, deleted and expired ones too. */
  snapshot(): Subscription[] {
    return [...this.byId.values()];
  }

  restore(saved: Subscription[]): void {
    this.byId = new Map(saved.map((subscription) => [subscription.id, subscription]));
  }

  /** Posts one change to every live subscription on the mailbox. */
  notify(mailbox: Mailbox, eventId: string, change: 'created' | 'updated' | 'deleted'): void {
    for (const subscription of this.byId.values()) {
      if (subscription.email !== mailbox.email || !this.isLive(subscription)) continue;
      if (!subscription.changeType.includes(change)) continue;
      this.post(subscription, subscription.notificationUrl, {
        subscriptionId: subscription.id,
        subscriptionExpirationDateTime: new Date(subscription.expiresMs).toISOString(),
        changeType: change,
        resource: `Users/${subscription.oid}/Events/${eventId}`,
        resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': `Users/${subscription.oid}/Events/${eventId}`, id: eventId },
        clientState: subscription.clientState,
        tenantId: this.options.tenant,
      });
    }
  }

  lifecycle(id: string, event: LifecycleEvent): void {
    const subscription = this.byId.get(id);
    if (!subscription) throw new SubscriptionError(404, 'ResourceNotFound', `no subscription ${id}`);
    if (!subscription.lifecycleNotificationUrl) throw new SubscriptionError(400, 'ValidationError', `subscription ${id} has no lifecycleNotificationUrl`);
    if (event === 'subscriptionRemoved') subscription.deleted = true;
    this.post(subscription, subscription.lifecycleNotificationUrl, {
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: new Date(subscription.expiresMs).toISOString(),
      lifecycleEvent: event,
      clientState: subscription.clientState,
      tenantId: this.options.tenant,
    });
  }

  private post(subscription: Subscription, url: string, notification: Record<string, unknown>): void {
    this.sender.send({ url, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: [notification] }) }, (outcome) => {
      if (outcome === 'delivered') subscription.delivered += 1;
      else if (outcome === 'retried') subscription.retries += 1;
      else subscription.failed += 1;
    });
  }

  private isLive(subscription: Subscription): boolean {
    return !subscription.deleted && subscription.expiresMs > Date.now();
  }

  private live(mailbox: Mailbox, id: string): Subscription {
    const subscription = this.byId.get(id);
    if (!subscription || subscription.deleted || subscription.email !== mailbox.email) throw new SubscriptionError(404, 'ResourceNotFound', `The object was not found (${id}).`);
    return subscription;
  }

  private checkExpiry(value: unknown): number {
    const expiresMs = Date.parse(String(value ?? ''));
    if (Number.isNaN(expiresMs)) throw new SubscriptionError(400, 'ValidationError', 'expirationDateTime is required');
    if (expiresMs <= Date.now()) throw new SubscriptionError(400, 'ValidationError', 'expirationDateTime must be in the future');
    // The error Graph answers, as quoted in microsoftgraph/microsoft-graph-docs-contrib#7726:
    // `ExtensionError`, "Subscription expiration can only be 4230 minutes in the future.".
    if (expiresMs > Date.now() + this.options.maxMinutes * 60_000) {
      throw new SubscriptionError(400, 'ExtensionError', `Subscription expiration can only be ${this.options.maxMinutes} minutes in the future.`);
    }
    return expiresMs;
  }

  /** The handshake: the endpoint must answer 200 with the token as plain text, in time. */
  private async validate(url: string): Promise<void> {
    const token = `Validation: ${crypto.randomBytes(12).toString('hex')}`;
    const target = new URL(url);
    target.searchParams.set('validationToken', token);
    try {
      const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'text/plain' }, signal: AbortSignal.timeout(this.options.validationTimeoutMs) });
      const text = await response.text();
      if (response.status === 200 && text === token && (response.headers.get('content-type') ?? '').startsWith('text/plain')) return;
      throw new Error(`answered ${response.status} without echoing the validation token as text/plain`);
    } catch (error) {
      throw new SubscriptionError(400, 'ValidationError', `Subscription validation request failed for ${url}: ${(error as Error).message}`);
    }
  }
}
