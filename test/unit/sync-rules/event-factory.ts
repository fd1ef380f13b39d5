/** Calendar events and rule inputs for the sync-rules tests, with everything a test does not name defaulted. */
import type { CalendarEvent, EventGuest } from '../../../model/calendar-event';
import type { DecisionInput, ExistingLink, SeriesMeeting } from '../../../sync-rules';

export const USER = 'owner@portal.example';
export const CONTACT = 'ann@customer.example';
export const CONTACT_ID = 'contact-ann';
export const OTHER_CONTACT = 'bob@customer.example';
export const OTHER_CONTACT_ID = 'contact-bob';

export const guest = (email: string, extra: Partial<EventGuest> = {}): EventGuest => ({
  email,
  response: 'none',
  kind: 'person',
  organizer: false,
  self: false,
  ...extra,
});

/** A one-hour meeting the user organizes, with one contact invited. */
export function event(extra: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    id: 'evt1',
    iCalUID: 'evt1@google.com',
    kind: 'single',
    status: 'confirmed',
    title: 'Demo',
    start: { dateTime: '2026-12-01T10:00:00Z', timeZone: 'Europe/Paris' },
    end: { dateTime: '2026-12-01T11:00:00Z', timeZone: 'Europe/Paris' },
    visibility: 'default',
    eventType: 'default',
    organizer: { email: USER, self: true },
    guests: [guest(USER, { self: true, organizer: true, response: 'accepted' }), guest(CONTACT)],
    updatedAt: '2026-11-24T09:00:00.000Z',
    ...extra,
  };
}

/** What a provider sends for a deletion: the id and nothing else that can be trusted. */
export const bareDeletion = (extra: Partial<CalendarEvent> = {}): CalendarEvent => ({
  id: 'evt1',
  kind: 'single',
  status: 'cancelled',
  removed: true,
  visibility: 'default',
  eventType: 'default',
  guests: [],
  ...extra,
});

/** A weekly series starting 2026-12-01 10:00Z (Google-style ids), and the meeting the CRM logged for it. */
export const master = (extra: Partial<CalendarEvent> = {}) => event({ id: 'series1', iCalUID: 'series1@google.com', kind: 'seriesMaster', ...extra });

export const seriesMeeting: SeriesMeeting = {
  iCalUID: 'series1@google.com',
  title: 'Demo',
  startAt: '2026-12-01T10:00:00.000Z',
  endAt: '2026-12-01T11:00:00.000Z',
  timeZone: 'Europe/Paris',
  attendees: [{ email: CONTACT, emailKey: CONTACT, response: 'none', contactId: CONTACT_ID, organizer: false }],
};

/** The second week's occurrence (2026-12-08 10:00Z), as an exception identical to its series unless told. */
export const instance = (extra: Partial<CalendarEvent> = {}) =>
  event({
    id: 'series1_20261208T100000Z',
    iCalUID: 'series1@google.com',
    kind: 'exception',
    seriesMasterId: 'series1',
    originalStart: '2026-12-08T10:00:00Z',
    start: { dateTime: '2026-12-08T10:00:00Z', timeZone: 'Europe/Paris' },
    end: { dateTime: '2026-12-08T11:00:00Z', timeZone: 'Europe/Paris' },
    ...extra,
  });

export function input(extra: Partial<DecisionInput> = {}): DecisionInput {
  return {
    event: event(),
    account: { domains: ['portal.example'], userEmails: [USER, 'colleague@portal.example'], blockedDomains: ['crm-calendar-sync.com'] },
    connection: { id: 'conn1', userEmail: USER },
    baselineEventIds: new Set(),
    contactsByEmail: new Map([
      [CONTACT, CONTACT_ID],
      [OTHER_CONTACT, OTHER_CONTACT_ID],
    ]),
    ...extra,
  };
}

export const linked = (frozen = false): ExistingLink => ({ kind: 'meeting', meetingId: 'meeting1', frozen });
export const linkedOutOfOffice: ExistingLink = { kind: 'outOfOffice', outOfOfficeId: 'ooo-period-1' };
