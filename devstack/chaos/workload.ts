/**
 * The chaos run's stream of changes: what people do in their calendars (SPEC §4) and in the CRM
 * (§5), chosen by the seeded random source and recorded in the model.
 *
 * Rounds keep the expected outcome exact: within one round each event, series or meeting changes at
 * most once, and every round ends converged. So whether the CRM had seen an event before it turned
 * private, or before the CRM edited it, never depends on timing.
 */
import type { Database } from '../../db/client';
import type { ApiClient } from '../api-client';
import { calendarActions, inDays, type CalendarActions, type CalendarEventView, type Emulators } from '../emulators/calendar-actions';
import type { ProviderName } from '../../model/calendar-event';
import { awayTitle, copyState, type ChaosModel, type ChaosUser, type CrmMeeting, type Entity, type MeetingState, type Response, type SeriesEvent, type SingleEvent } from './model';
import type { Random } from './random';

/** What the faults of a round rule out. */
export interface RoundLimits {
  /** Users whose grant is revoked this round: the CRM cannot write to their calendar until they reconnect. */
  crmBlocked: ReadonlySet<string>;
}

export type ChangeKind =
  | 'calendar.create'
  | 'calendar.create_ineligible'
  | 'calendar.invite'
  | 'calendar.create_series'
  | 'calendar.edit'
  | 'calendar.guests'
  | 'calendar.answer'
  | 'calendar.cancel'
  | 'calendar.make_private'
  | 'calendar.cancel_occurrence'
  | 'calendar.move_occurrence'
  | 'calendar.away'
  | 'calendar.away_removed'
  | 'crm.schedule'
  | 'crm.edit_and_send'
  | 'crm.delete'
  | 'crm.away'
  | 'crm.away_removed';

/** Relative frequency of each change. */
const WEIGHTS: Record<ChangeKind, number> = {
  'calendar.create': 16,
  'calendar.create_ineligible': 5,
  'calendar.invite': 4,
  'calendar.create_series': 4,
  'calendar.edit': 12,
  'calendar.guests': 8,
  'calendar.answer': 8,
  'calendar.cancel': 5,
  'calendar.make_private': 4,
  'calendar.cancel_occurrence': 4,
  'calendar.move_occurrence': 4,
  'calendar.away': 3,
  'calendar.away_removed': 2,
  'crm.schedule': 8,
  'crm.edit_and_send': 5,
  'crm.delete': 3,
  'crm.away': 2,
  'crm.away_removed': 1,
};

const SERIES_WEEKS = 4;
const WEEK_MS = 7 * 86_400_000;
/** A CRM call that meets an outage is retried, with the same Idempotency-Key, for this long. */
const CRM_RETRY_MS = 180_000;

const fromAnswer = (answer: string | undefined): Response =>
  answer === 'accepted' ? 'ACCEPTED' : answer === 'declined' ? 'DECLINED' : answer === 'tentative' ? 'TENTATIVE' : 'NONE';

/** A live, eligible event of the user's own (not an invitation) with contact guests to change or answer for. */
const ownWithContactGuests = (e: SingleEvent) => e.eligible && !e.calendar.cancelled && !e.invitation && e.calendar.contacts.size > 0;

export class Workload {
  private readonly actions: Record<ProviderName, CalendarActions>;
  /** The round in which each entity last changed: one change per entity per round. */
  private readonly changedIn = new Map<Entity, number>();
  private round = 0;
  private strangers = 0;
  /** CRM calls still retrying through an outage: the stream of changes does not wait for them. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private failure: unknown;
  readonly applied = new Map<ChangeKind, number>();

  constructor(
    private readonly model: ChaosModel,
    private readonly random: Random,
    private readonly api: ApiClient,
    emulators: Emulators,
    /** Only to find the meeting a calendar event became, as a CRM user would find it on the timeline. */
    private readonly db: Database,
  ) {
    this.actions = { GOOGLE: calendarActions(emulators, 'GOOGLE'), MICROSOFT: calendarActions(emulators, 'MICROSOFT') };
  }

  startRound(round: number): void {
    this.round = round;
  }

  /** Waits for the CRM calls still in flight; the first that failed for good fails the round. */
  async settle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
    if (this.failure !== undefined) throw this.failure;
  }

  get total(): number {
    return [...this.applied.values()].reduce((sum, n) => sum + n, 0);
  }

  /** Applies one change that this round allows; `users` are the people it may happen to. */
  async step(limits: RoundLimits, users: readonly ChaosUser[] = this.model.users): Promise<ChangeKind> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const kind = this.chooseKind();
      const user = this.random.pick(users);
      if (kind.startsWith('crm.') && limits.crmBlocked.has(user.id)) continue;
      if (await this.applyChange(kind, user)) return kind;
    }
    // Nothing else was possible for these users: a new event always is.
    await this.applyChange('calendar.create', this.random.pick(users));
    return 'calendar.create';
  }

  private chooseKind(): ChangeKind {
    const entries = Object.entries(WEIGHTS) as [ChangeKind, number][];
    let roll = this.random.next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [kind, weight] of entries) {
      roll -= weight;
      if (roll < 0) return kind;
    }
    return entries[0]![0];
  }

  /** An entity of `user` that has not changed this round, or undefined. */
  private available<E extends Entity>(user: ChaosUser, candidates: E[], test: (entity: E) => boolean = () => true): E | undefined {
    const free = candidates.filter((e) => e.user === user && (this.changedIn.get(e) ?? -1) < this.round && test(e));
    return free.length ? this.random.pick(free) : undefined;
  }

  private touch(entity: Entity, kind: ChangeKind): void {
    this.changedIn.set(entity, this.round);
    entity.history.push(`round ${this.round} ${new Date().toISOString().slice(11, 23)} ${kind}`);
  }

  private calendar(user: ChaosUser): CalendarActions {
    return this.actions[user.account.provider];
  }

  /** The event as the calendar now holds it: the ground truth the CRM must follow. */
  private async observe(user: ChaosUser, eventId: string): Promise<CalendarEventView> {
    const view = (await this.calendar(user).events(user.email)).find((e) => e.id === eventId);
    if (!view) throw new Error(`chaos: event ${eventId} is not in ${user.email}'s calendar`);
    return view;
  }

  private stateOf(user: ChaosUser, view: CalendarEventView): MeetingState {
    const contacts = new Map<string, Response>();
    const known = new Set(user.account.contacts.map((c) => c.email));
    for (const guest of view.guests) if (known.has(guest)) contacts.set(guest, fromAnswer(view.answers[guest]));
    if (known.has(view.organizer) && !contacts.has(view.organizer)) contacts.set(view.organizer, fromAnswer(view.answers[view.organizer]));
    return { title: view.title, start: view.start, end: view.end, cancelled: view.cancelled, contacts };
  }

  private async refresh(event: SingleEvent): Promise<void> {
    const view = await this.observe(event.user, event.eventId);
    event.calendar = this.stateOf(event.user, view);
    event.guests = view.guests;
  }

  private slot(): { start: string; end: string } {
    const start = inDays(3 + this.random.int(60), 7 + this.random.int(10));
    return { start, end: new Date(Date.parse(start) + (1 + this.random.int(2)) * 1_800_000).toISOString() };
  }

  private contactsOf(user: ChaosUser, count: number): string[] {
    return this.random.sample(user.account.contacts, count).map((c) => c.email);
  }

  private colleagueOf(user: ChaosUser): string | undefined {
    const others = this.model.users.filter((u) => u.account === user.account && u !== user);
    return others.length ? this.random.pick(others).email : undefined;
  }

  private stranger(): string {
    this.strangers += 1;
    return `stranger${this.strangers}-${this.model.tag}@elsewhere.example`;
  }

  private async newSingle(kind: ChangeKind, user: ChaosUser, ref: string, eventId: string, invitation: boolean): Promise<SingleEvent> {
    const view = await this.observe(user, eventId);
    const calendar = this.stateOf(user, view);
    const eligible = !view.private && calendar.contacts.size > 0;
    const event = this.model.add<SingleEvent>({ kind: 'single', ref, user, eventId, iCalUID: view.iCalUID, calendar, guests: view.guests, eligible, invitation, deletedInCrm: false, history: [] });
    this.touch(event, kind);
    return event;
  }

  /** Applies a change of this kind to `user`, if one is possible this round; says whether it was. */
  async applyChange(kind: ChangeKind, user: ChaosUser): Promise<boolean> {
    const applied = await this.apply(kind, user);
    if (applied) this.applied.set(kind, (this.applied.get(kind) ?? 0) + 1);
    return applied;
  }

  private async apply(kind: ChangeKind, user: ChaosUser): Promise<boolean> {
    const calendar = this.calendar(user);
    const singles = this.model.of('single');
    switch (kind) {
      case 'calendar.create': {
        const ref = this.model.nextRef('event');
        const guests = [...this.contactsOf(user, 1 + this.random.int(2))];
        const colleague = this.random.chance(0.3) ? this.colleagueOf(user) : undefined;
        if (colleague) guests.push(colleague);
        if (this.random.chance(0.3)) guests.push(this.stranger());
        const resources = this.random.chance(0.2) ? [`room-${this.model.tag}@resource.example`] : undefined;
        const id = await calendar.createEvent(user.email, { title: `${ref} v1`, ...this.slot(), guests, resources, location: 'Room 1' });
        await this.newSingle(kind, user, ref, id, false);
        return true;
      }
      case 'calendar.create_ineligible': {
        const ref = this.model.nextRef('ineligible');
        const shape = this.random.int(3);
        const colleague = this.colleagueOf(user);
        // Internal people only (§4.4), strangers only (§4.2), or contacts in a private event (§4.7).
        const guests = shape === 0 ? [colleague ?? `someone@portal.example`] : shape === 1 ? [this.stranger()] : this.contactsOf(user, 1);
        const id = await calendar.createEvent(user.email, { title: `${ref} v1`, ...this.slot(), guests, private: shape === 2 });
        await this.newSingle(kind, user, ref, id, false);
        return true;
      }
      case 'calendar.invite': {
        const ref = this.model.nextRef('invitation');
        const from = this.random.pick(user.account.contacts).email;
        const id = await calendar.invite(user.email, from, { title: `${ref} v1`, ...this.slot() });
        await this.newSingle(kind, user, ref, id, true);
        return true;
      }
      case 'calendar.create_series': {
        const ref = this.model.nextRef('series');
        const { start, end } = this.slot();
        const masterId = await calendar.createSeries(user.email, { title: `${ref} v1`, start, end, guests: this.contactsOf(user, 1 + this.random.int(2)), weeks: SERIES_WEEKS });
        const series = this.model.add<SeriesEvent>({
          kind: 'series',
          ref,
          user,
          masterId,
          calendar: this.stateOf(user, await this.observe(user, masterId)),
          weeks: SERIES_WEEKS,
          occurrences: new Map(),
          history: [],
        });
        this.touch(series, kind);
        return true;
      }
      case 'calendar.edit': {
        // Invitations are the organizer's to edit; the user edits their own events.
        const event = this.available(user, singles, (e) => !e.calendar.cancelled && !e.invitation);
        if (!event) return false;
        this.touch(event, kind);
        const version = Number(event.calendar.title.split(' v').pop()) + 1;
        const patch = this.random.chance(0.5) ? { title: `${event.ref} v${version}` } : { title: `${event.ref} v${version}`, ...this.slot(), location: `Room ${version}` };
        await calendar.updateEvent(user.email, event.eventId, patch);
        await this.refresh(event);
        return true;
      }
      case 'calendar.guests': {
        // Only eligible events change guests, and they keep at least one contact: whether a meeting
        // that lost its last contact stays is not what this run checks.
        const event = this.available(user, singles, ownWithContactGuests);
        if (!event) return false;
        this.touch(event, kind);
        const view = await this.observe(user, event.eventId);
        const contacts = view.guests.filter((g) => event.calendar.contacts.has(g));
        const spare = user.account.contacts.map((c) => c.email).filter((c) => !view.guests.includes(c));
        let guests = view.guests;
        if (contacts.length > 1 && this.random.chance(0.5)) guests = view.guests.filter((g) => g !== this.random.pick(contacts));
        else if (spare.length) guests = [...view.guests, this.random.pick(spare)];
        else return false;
        await calendar.updateEvent(user.email, event.eventId, { guests });
        await this.refresh(event);
        return true;
      }
      case 'calendar.answer': {
        // A private event may hide its guests from the view (Graph): no answer to give then.
        const event = this.available(user, singles, ownWithContactGuests);
        if (!event) return false;
        this.touch(event, kind);
        const guest = this.random.pick([...event.calendar.contacts.keys()]);
        await calendar.setResponse(user.email, event.eventId, guest, this.random.pick(['accepted', 'declined', 'tentative'] as const));
        await this.refresh(event);
        return true;
      }
      case 'calendar.cancel': {
        // A private event's deletion says nothing of its privacy (Google lists only a stub): not checked.
        const event = this.available(user, singles, (e) => !e.calendar.cancelled && !e.invitation && !e.frozen);
        if (!event) return false;
        this.touch(event, kind);
        await calendar.deleteEvent(user.email, event.eventId);
        event.calendar = { ...event.calendar, cancelled: true };
        return true;
      }
      case 'calendar.make_private': {
        // Only events no colleague holds: a colleague's own copy is not private, and keeps the shared
        // meeting moving (README, "Behaviour where the spec is silent").
        const colleagues = new Set(this.model.users.filter((u) => u.account === user.account).map((u) => u.email));
        const event = this.available(user, singles, (e) => e.eligible && !e.frozen && !e.calendar.cancelled && !e.invitation && !e.guests.some((g) => colleagues.has(g)));
        if (!event) return false;
        this.touch(event, kind);
        // The CRM has this state (the round before converged): it must keep it (§4.7).
        event.frozen = copyState(event.calendar);
        await calendar.updateEvent(user.email, event.eventId, { private: true });
        await this.refresh(event);
        return true;
      }
      case 'calendar.cancel_occurrence':
      case 'calendar.move_occurrence': {
        const series = this.available(user, this.model.of('series'), (s) => s.occurrences.size < s.weeks - 1);
        if (!series) return false;
        this.touch(series, kind);
        // The first week is the series' own meeting (§4.6): later weeks change on their own.
        const free = Array.from({ length: series.weeks - 1 }, (_, i) => new Date(Date.parse(series.calendar.start) + (i + 1) * WEEK_MS).toISOString()).filter(
          (start) => !series.occurrences.has(start),
        );
        const originalStart = this.random.pick(free);
        const length = Date.parse(series.calendar.end) - Date.parse(series.calendar.start);
        if (kind === 'calendar.cancel_occurrence') {
          await calendar.cancelOccurrence(user.email, series.masterId, originalStart);
          series.occurrences.set(originalStart, { cancelled: true, start: originalStart, end: new Date(Date.parse(originalStart) + length).toISOString() });
        } else {
          const start = new Date(Date.parse(originalStart) + 86_400_000 + 3_600_000).toISOString();
          const end = new Date(Date.parse(start) + length).toISOString();
          await calendar.moveOccurrence(user.email, series.masterId, originalStart, start, end);
          series.occurrences.set(originalStart, { cancelled: false, start, end });
        }
        return true;
      }
      case 'calendar.away': {
        const ref = this.model.nextRef('away');
        const { start } = this.slot();
        const end = new Date(Date.parse(start) + 4 * 3_600_000).toISOString();
        const id = await calendar.createEvent(user.email, { title: awayTitle(ref), start, end, outOfOffice: true });
        this.touch(this.model.add({ kind: 'away', ref, user, origin: 'calendar', id, start, end, removed: false, history: [] }), kind);
        return true;
      }
      case 'calendar.away_removed': {
        const period = this.available(user, this.model.of('away'), (p) => p.origin === 'calendar' && !p.removed);
        if (!period) return false;
        this.touch(period, kind);
        await calendar.deleteEvent(user.email, period.id);
        period.removed = true;
        return true;
      }
      case 'crm.schedule': {
        const ref = this.model.nextRef('crm');
        const { start, end } = this.slot();
        const guests = this.random.sample(user.account.contacts, 1 + this.random.int(2));
        const body = { ownerUserId: user.id, title: `${ref} v1`, startAt: start, endAt: end, guestContactIds: guests.map((g) => g.id) };
        const state: MeetingState = { title: body.title, start, end, cancelled: false, contacts: new Map(guests.map((g) => [g.email, 'NONE' as Response])) };
        // In the model now, its id when the API answers: the model's order never depends on timing.
        const meeting = this.model.add<CrmMeeting>({ kind: 'crm', ref, user, meetingId: '', state, deleted: false, history: [] });
        this.touch(meeting, kind);
        this.send(this.crm(user, 202, 'POST', '/v1/meetings', body).then((created) => (meeting.meetingId = created.id)));
        return true;
      }
      case 'crm.edit_and_send': {
        const meeting = this.available(user, this.model.of('crm'), (m) => !m.deleted);
        if (!meeting) return false;
        this.touch(meeting, kind);
        const version = Number(meeting.state.title.split(' v').pop()) + 1;
        const { start, end } = this.slot();
        this.send(this.crm(user, 200, 'PATCH', `/v1/meetings/${meeting.meetingId}`, { title: `${meeting.ref} v${version}`, startAt: start, endAt: end, sendUpdate: true }));
        meeting.state = { ...meeting.state, title: `${meeting.ref} v${version}`, start, end };
        return true;
      }
      case 'crm.delete': {
        // A CRM meeting, or one the calendar brought: either way the calendar event stays (§5).
        const crmMeeting = this.available(user, this.model.of('crm'), (m) => !m.deleted);
        const synced = this.available(user, singles, (e) => e.eligible && !e.deletedInCrm && !e.frozen && !e.calendar.cancelled);
        if (crmMeeting && (!synced || this.random.chance(0.5))) {
          this.touch(crmMeeting, kind);
          this.send(this.crm(user, 204, 'DELETE', `/v1/meetings/${crmMeeting.meetingId}`));
          crmMeeting.deleted = true;
          return true;
        }
        if (!synced) return false;
        this.touch(synced, kind);
        synced.deletedInCrm = true;
        this.send(
          this.db.calendarEventLink
            .findUnique({ where: { connectionId_providerEventId: { connectionId: user.connectionId, providerEventId: synced.eventId } } })
            .then((link) => {
              if (!link) throw new Error(`chaos: ${synced.ref} was synced the round before, but has no meeting`);
              return this.crm(user, 204, 'DELETE', `/v1/meetings/${link.meetingId}`);
            }),
        );
        return true;
      }
      case 'crm.away': {
        const ref = this.model.nextRef('crm-away');
        const { start } = this.slot();
        const end = new Date(Date.parse(start) + 8 * 3_600_000).toISOString();
        const period = this.model.add({ kind: 'away', ref, user, origin: 'crm', id: '', start, end, removed: false, history: [] });
        this.touch(period, kind);
        this.send(this.crm(user, 202, 'POST', `/v1/users/${user.id}/out-of-office`, { startAt: start, endAt: end, title: awayTitle(ref) }).then((created) => (period.id = created.id)));
        return true;
      }
      case 'crm.away_removed': {
        const period = this.available(user, this.model.of('away'), (p) => p.origin === 'crm' && !p.removed);
        if (!period) return false;
        this.touch(period, kind);
        this.send(this.crm(user, 202, 'DELETE', `/v1/users/${user.id}/out-of-office/${period.id}`));
        period.removed = true;
        return true;
      }
    }
  }

  private send(call: Promise<unknown>): void {
    const tracked: Promise<unknown> = call.catch((error) => (this.failure ??= error)).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /**
   * A CRM client that does what a careful integration does: it retries a call that met an outage
   * (5xx, or no answer) with the same Idempotency-Key, and gives up only on a 4xx.
   */
  private async crm(user: ChaosUser, status: number, method: string, path: string, body?: unknown): Promise<any> {
    const key = `${this.model.tag}-${this.model.nextRef('call')}`;
    const deadline = Date.now() + CRM_RETRY_MS;
    for (let attempt = 1; ; attempt++) {
      const answer = await this.api.call(method, path, { auth: user.account.auth, headers: { 'Idempotency-Key': key }, body }).catch((error: Error) => ({ status: 0, body: error.message }));
      if (answer.status === status) return answer.body;
      // The first attempt went through before the outage hid its answer.
      if (method === 'DELETE' && attempt > 1 && answer.status === 404) return undefined;
      // 409 in progress: an attempt the outage cut off still holds the key until its lease ends.
      const inProgress = answer.status === 409 && answer.body?.error?.code === 'idempotency_key_in_progress';
      const retryable = answer.status === 0 || answer.status >= 500 || answer.status === 429 || inProgress;
      if (!retryable || Date.now() > deadline) throw new Error(`chaos: ${method} ${path} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 3000)));
    }
  }
}
