/**
 * The emulator's control API: users and consent, changes made "in Outlook" by the user or by an
 * outside organizer, faults, and inspection (mail, subscriptions, call counts). Tests call it in
 * process; every method is also served at `POST /_emulator/<method>` (JSON array of arguments).
 * User actions run the same code as Graph but send no mail and skip faults and call counts.
 */
import { controlMethods } from '../shared/control-rpc';
import { FaultControls } from '../shared/fault-controls';
import type { FaultPlan } from '../shared/fault-plan';
import type { RetrySchedule, WebhookSender } from '../shared/webhook-sender';
import type { DeltaOptions, DeltaService } from './delta';
import { MICROSOFT_ENDPOINTS, type MicrosoftEndpoint } from './endpoints';
import { renderEvent, type GraphResponse } from './event-model';
import { DEFAULT_EVENT_OPTIONS, type EventService, type OutboxMessage } from './event-service';
import type { IdentityService } from './identity';
import type { MailboxStore } from './mailboxes';
import type { LifecycleEvent, Subscriptions } from './subscriptions';

type Body = Record<string, unknown>;
type TimeInput = string | { dateTime: string; timeZone?: string };

export interface Invitation extends Body {
  /** The outside contact who organizes the meeting. */
  organizer: string;
  subject?: string;
  start: TimeInput;
  end: TimeInput;
}

export interface ControlParts {
  store: MailboxStore;
  identity: IdentityService;
  events: EventService;
  delta: DeltaService;
  subscriptions: Subscriptions;
  sender: WebhookSender;
  faults: FaultPlan<MicrosoftEndpoint>;
}

/** Inspection renders times in UTC, as the service asks Graph for them; `originalStartTimeZone` names the event's zone. */
const INSPECTION_ZONE = 'UTC';
/** An ISO string is taken as a UTC instant. */
const time = (value: TimeInput) => (typeof value === 'string' ? { dateTime: value, timeZone: 'UTC' } : value);
/** Google Calendar's names for Graph fields: a control call using them would lose them without a word. */
const GOOGLE_FIELD_NAMES: Record<string, string> = { summary: 'subject', description: 'body', visibility: 'sensitivity' };

const withTimes = (body: Body): Body => {
  for (const [google, graph] of Object.entries(GOOGLE_FIELD_NAMES)) {
    if (google in body) throw new Error(`the Microsoft emulator takes Graph event fields: \`${graph}\`, not \`${google}\``);
  }
  return {
    ...body,
    ...(body.start !== undefined ? { start: time(body.start as TimeInput) } : {}),
    ...(body.end !== undefined ? { end: time(body.end as TimeInput) } : {}),
  };
};
const RESPONSES: Record<string, GraphResponse> = { accepted: 'accepted', declined: 'declined', tentative: 'tentativelyAccepted', none: 'none' };

export class MicrosoftEmulatorControl extends FaultControls<MicrosoftEndpoint> {
  constructor(private readonly parts: ControlParts) {
    super(parts.faults, MICROSOFT_ENDPOINTS, parts.sender);
  }

  // ── Users, consent, tokens ───────────────────────────────────────────────────────────────────
  createUser(user: { email: string; name?: string }): { email: string; name: string; oid: string } {
    const { email, name, oid } = this.parts.store.create(user);
    return { email, name, oid };
  }

  users(): { email: string; name: string; oid: string }[] {
    return this.parts.store.all().map(({ email, name, oid }) => ({ email, name, oid }));
  }

  reset(): void {
    this.parts.store.clear();
    this.parts.identity.reset();
    this.parts.subscriptions.clear();
    this.parts.sender.cancelPending();
    this.parts.delta.clear();
    this.parts.events.outbox.length = 0;
    Object.assign(this.parts.events.options, DEFAULT_EVENT_OPTIONS);
    this.parts.faults.clearFaults();
    this.parts.faults.resetCounts();
    this.parts.sender.faults = {};
  }

  async approveConsent(authorizationUrl: string, email: string): Promise<string> {
    return this.parts.identity.approve(authorizationUrl, email);
  }

  async denyConsent(authorizationUrl: string): Promise<string> {
    return this.parts.identity.deny(authorizationUrl);
  }

  revokeRefreshTokens(email: string): number {
    return this.parts.identity.revokeRefreshTokens(email);
  }

  expireAccessTokens(email: string): number {
    return this.parts.identity.expireAccessTokens(email);
  }

  invalidateDeltaTokens(email: string): void {
    this.parts.delta.invalidate(this.parts.store.require(email));
  }

  /**
   * `deliveryRetry` changes only the parts given of the notification retry schedule (see WebhookSender).
   * `seriesMasters` and `cancellationModifiesMaster` pick the series shape Graph is reported to
   * produce (delta.ts, event-service.ts); `reset` restores the defaults.
   */
  configure(settings: {
    accessTokenLifetimeSeconds?: number;
    maxSubscriptionMinutes?: number;
    deliveryRetry?: Partial<RetrySchedule>;
    seriesMasters?: DeltaOptions['seriesMasters'];
    cancellationModifiesMaster?: boolean;
  }): void {
    if (settings.deliveryRetry !== undefined) this.parts.sender.setRetrySchedule(settings.deliveryRetry); // first: it may refuse
    if (settings.seriesMasters !== undefined && !['listed', 'omitted'].includes(settings.seriesMasters)) {
      throw Object.assign(new Error('seriesMasters must be listed or omitted'), { status: 400 });
    }
    if (settings.seriesMasters !== undefined) this.parts.delta.options.seriesMasters = settings.seriesMasters;
    if (settings.cancellationModifiesMaster !== undefined) this.parts.events.options.cancellationModifiesMaster = settings.cancellationModifiesMaster === true;
    if (settings.accessTokenLifetimeSeconds !== undefined) this.parts.identity.options.accessTokenLifetimeSeconds = settings.accessTokenLifetimeSeconds;
    if (settings.maxSubscriptionMinutes !== undefined) this.parts.subscriptions.options.maxMinutes = settings.maxSubscriptionMinutes;
  }

  // ── Changes made by the user in Outlook ──────────────────────────────────────────────────────
  userCreateEvent(email: string, event: Body): Record<string, unknown> {
    const mailbox = this.parts.store.require(email);
    return this.render(email, this.parts.events.create(mailbox, withTimes(event), { mail: false }).id);
  }

  userUpdateEvent(email: string, eventId: string, patch: Body): Record<string, unknown> {
    this.parts.events.patch(this.parts.store.require(email), eventId, withTimes(patch), { mail: false });
    return this.render(email, eventId);
  }

  /**
   * The organizer removes the Teams meeting in Outlook. Graph offers no such change (`isOnlineMeeting`
   * is ignored once true); an event is created with one through `isOnlineMeeting: true` as in Graph.
   */
  userRemoveOnlineMeeting(email: string, eventId: string): Record<string, unknown> {
    this.parts.events.removeOnlineMeeting(this.parts.store.require(email), eventId);
    return this.render(email, eventId);
  }

  /** The organizer cancels the meeting; an attendee removes their copy (declining it). */
  userDeleteEvent(email: string, eventId: string): void {
    this.parts.events.remove(this.parts.store.require(email), eventId, { mail: false });
  }

  userCancelOccurrence(email: string, masterId: string, originalStart: string): void {
    this.parts.events.overrideOccurrence(this.parts.store.require(email), masterId, originalStart, { cancelled: true });
  }

  userMoveOccurrence(email: string, masterId: string, originalStart: string, start: string, end: string): Record<string, unknown> {
    const id = this.parts.events.overrideOccurrence(this.parts.store.require(email), masterId, originalStart, { startMs: Date.parse(start), endMs: Date.parse(end) });
    return this.render(email, id);
  }

  /** `attendeeEmail` answers the meeting (accepted, declined, tentative, none). */
  userSetResponse(email: string, eventId: string, attendeeEmail: string, response: string): Record<string, unknown> {
    const graphResponse = RESPONSES[response];
    if (!graphResponse) throw Object.assign(new Error(`response must be one of ${Object.keys(RESPONSES).join(', ')}`), { status: 400 });
    this.parts.events.answer(this.parts.events.require(this.parts.store.require(email), eventId), attendeeEmail, graphResponse);
    return this.render(email, eventId);
  }

  // ── Changes made by an outside organizer ─────────────────────────────────────────────────────
  /** An outside contact invites the user: the meeting lands in their calendar, the user a guest. */
  inviteUser(userEmail: string, invitation: Invitation): Record<string, unknown> {
    const { organizer, ...body } = invitation;
    const mailbox = this.parts.store.require(userEmail);
    const event = this.parts.events.create(mailbox, withTimes(body), { mail: false, organizer: { name: organizer, address: organizer } });
    return this.render(userEmail, event.id);
  }

  /** The outside organizer changes the meeting for everyone. */
  organizerUpdateEvent(eventId: string, patch: Body): Record<string, unknown> {
    const holder = this.holderOf(eventId);
    this.parts.events.patch(this.parts.store.require(holder), eventId, withTimes(patch), { mail: false, asOrganizer: true });
    return this.render(holder, eventId);
  }

  /** The outside organizer cancels the meeting: the copies stay, cancelled, as Outlook shows them. */
  organizerCancelEvent(eventId: string): void {
    this.parts.events.cancel(this.parts.store.require(this.holderOf(eventId)), eventId);
  }

  // ── Inspection ───────────────────────────────────────────────────────────────────────────────
  getEvent(email: string, eventId: string): Record<string, unknown> | undefined {
    const view = this.parts.store.view(this.parts.store.require(email), eventId);
    return view && renderEvent(view, email, INSPECTION_ZONE);
  }

  /** Every event of the mailbox (series as their masters), deleted ones flagged `deleted`. */
  listEvents(email: string): Record<string, unknown>[] {
    const mailbox = this.parts.store.require(email);
    const live = [...mailbox.events.keys()].map((id) => this.render(email, id));
    const deleted = [...mailbox.deleted.values()].filter((e) => !mailbox.events.has(e.id)).map((e) => ({ ...renderEvent({ ...this.parts.store.instances(e)[0]!, id: e.id, type: 'singleInstance' }, email, INSPECTION_ZONE), deleted: true }));
    return [...live, ...deleted];
  }

  /** The event with this id, in whichever mailbox holds it. */
  findEvent(eventId: string): Record<string, unknown> {
    return this.render(this.holderOf(eventId), eventId);
  }

  outbox(): OutboxMessage[] {
    return [...this.parts.events.outbox];
  }

  clearOutbox(): void {
    this.parts.events.outbox.length = 0;
  }

  subscriptions(email?: string) {
    return this.parts.subscriptions.list(email);
  }

  sendLifecycle(subscriptionId: string, event: LifecycleEvent): void {
    this.parts.subscriptions.lifecycle(subscriptionId, event);
  }

  private render(email: string, eventId: string): Record<string, unknown> {
    const view = this.parts.store.view(this.parts.store.require(email), eventId);
    if (!view) throw Object.assign(new Error(`no event ${eventId} in ${email}'s calendar`), { status: 404 });
    return renderEvent(view, email, INSPECTION_ZONE);
  }

  private holderOf(eventId: string): string {
    const holder = this.parts.store.all().find((box) => box.events.has(eventId));
    if (!holder) throw Object.assign(new Error(`no calendar holds event ${eventId}`), { status: 404 });
    return holder.email;
  }
}

/** Names served over HTTP by the control RPC router. */
export const CONTROL_METHODS = controlMethods(MicrosoftEmulatorControl, ['render', 'holderOf']);
