/** Calendar events and rule inputs for the sync-rules tests, with everything a test does not name defaulted. */
import type { CalendarEvent, EventGuest } from '../../../providers/types';
import type { DecisionInput } from '../../../sync-rules';

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

export const linked = (frozen = false) => ({ kind: 'meeting' as const, meetingId: 'meeting1', frozen });
