/**
 * What the chaos run did, as plain data: the people it made and every calendar event, CRM meeting and
 * out-of-office period it created or changed, each with the state the CRM must end up in. The
 * workload writes it; the invariant checker reads it next to the emulators and the database.
 */
import type { ProviderName } from '../../model/calendar-event';

export type Response = 'ACCEPTED' | 'DECLINED' | 'TENTATIVE' | 'NONE';

export interface ChaosAccount {
  id: string;
  provider: ProviderName;
  auth: Record<string, string>;
  contacts: { id: string; email: string }[];
}

export interface ChaosUser {
  id: string;
  email: string;
  account: ChaosAccount;
  connectionId: string;
}

/** A meeting as the CRM must show it: times as ISO instants, contacts by lower-case email. */
export interface MeetingState {
  title: string;
  start: string;
  end: string;
  cancelled: boolean;
  /** Contact guests (and a contact organizer) with the answer the calendar holds for each. */
  contacts: Map<string, Response>;
}

interface Tracked {
  /** Unique across the run, in every message the checker prints. */
  ref: string;
  user: ChaosUser;
  /** What the run did to it, round by round: printed with what the checker finds. */
  history: string[];
}

/** A single event in a user's calendar. */
export interface SingleEvent extends Tracked {
  kind: 'single';
  eventId: string;
  /** A removed event's meeting is found by it: the removal unlinks the event (Graph `@removed`). */
  iCalUID: string;
  /** What the calendar holds now. */
  calendar: MeetingState;
  /** Everyone invited, contacts or not (colleagues hold copies of their own). */
  guests: string[];
  /** Whether the CRM must hold a meeting for it (§4.1–4.5, §4.7 at creation). */
  eligible: boolean;
  /** The organizer is a contact who invited the user (§4.1). */
  invitation: boolean;
  /** Made private after it was synced: the CRM keeps this state (§4.7). */
  frozen?: MeetingState;
  /** Deleted in the CRM: the meeting stays deleted whatever the calendar does. */
  deletedInCrm: boolean;
}

/** A weekly series; `occurrences` are the weeks changed on their own (§4.6). */
export interface SeriesEvent extends Tracked {
  kind: 'series';
  masterId: string;
  calendar: MeetingState;
  weeks: number;
  occurrences: Map<string, { cancelled: boolean; start: string; end: string }>;
}

/** A meeting scheduled in the CRM (§5). */
export interface CrmMeeting extends Tracked {
  kind: 'crm';
  meetingId: string;
  state: MeetingState;
  deleted: boolean;
}

/** An out-of-office period, made in the calendar or in the CRM (§4.9, §5). */
export interface AwayPeriod extends Tracked {
  kind: 'away';
  origin: 'calendar' | 'crm';
  /** The calendar event (origin calendar) or the CRM period (origin crm). */
  id: string;
  start: string;
  end: string;
  removed: boolean;
}

export type Entity = SingleEvent | SeriesEvent | CrmMeeting | AwayPeriod;

/**
 * The title of an out-of-office period, in the calendar and in the CRM: the checker finds a CRM-made
 * period's calendar event by it, since two periods may share a start (a calendar-made one and a
 * CRM-made one in the same slot).
 */
export const awayTitle = (ref: string) => `${ref} away`;

export class ChaosModel {
  readonly accounts: ChaosAccount[] = [];
  readonly users: ChaosUser[] = [];
  readonly entities: Entity[] = [];
  private counter = 0;

  constructor(readonly tag: string) {}

  nextRef(kind: string): string {
    this.counter += 1;
    return `${this.tag}-${kind}-${this.counter}`;
  }

  add<E extends Entity>(entity: E): E {
    this.entities.push(entity);
    return entity;
  }

  of<K extends Entity['kind']>(kind: K): Extract<Entity, { kind: K }>[] {
    return this.entities.filter((e): e is Extract<Entity, { kind: K }> => e.kind === kind);
  }
}

export const copyState = (state: MeetingState): MeetingState => ({ ...state, contacts: new Map(state.contacts) });
