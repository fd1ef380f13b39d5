/**
 * Who on an event can be a CRM contact (SPEC §4.1, §4.4, §4.5): every guest and an organizer who is
 * not the user, minus the user, the account's users, people at the account's own or blocked domains,
 * the account's excluded addresses and domains, groups (never expanded) and resources (rooms are not
 * guests).
 */
import type { CalendarEvent, EventGuest } from '../model/calendar-event';
import { domainOf, emailKey } from '../model/emails';
import type { MeetingAttendeeDecision, SyncAccount, SyncConnection } from './types';

export interface Internal {
  isInternal(email: string): boolean;
}

/**
 * Domains match exactly: `sub.portal.example` is not `portal.example` (a subsidiary may be a client).
 * Excluded addresses and domains count as internal: never matched, never a reason to log an event.
 */
export function internalPeople(account: SyncAccount, connection: SyncConnection): Internal {
  const domains = new Set([...account.domains, ...account.blockedDomains, ...(account.excludedDomains ?? [])].map(emailKey));
  const people = new Set([...account.userEmails, connection.userEmail, ...(account.excludedEmails ?? [])].map(emailKey));
  return { isInternal: (email) => people.has(emailKey(email)) || domains.has(domainOf(email)) };
}

/** The event's people, the organizer included once, in the provider's order. */
function peopleOf(event: CalendarEvent): EventGuest[] {
  const organizer = event.organizer;
  if (!organizer || organizer.self) return event.guests;
  const isOrganizer = (guest: EventGuest) => emailKey(guest.email) === emailKey(organizer.email);
  // Providers list the organizer among the attendees or not; either way it is one person, the organizer.
  if (event.guests.some(isOrganizer)) return event.guests.map((guest) => (isOrganizer(guest) ? { ...guest, organizer: true } : guest));
  return [{ email: organizer.email, name: organizer.name, response: 'accepted', kind: 'person', organizer: true, self: false }, ...event.guests];
}

/** People who could be contacts: external individuals, each once (an organizer keeps that role). */
export function externalPeople(event: CalendarEvent, internal: Internal): EventGuest[] {
  const byKey = new Map<string, EventGuest>();
  for (const guest of peopleOf(event)) {
    if (guest.kind !== 'person' || guest.self || internal.isInternal(guest.email)) continue;
    const key = emailKey(guest.email);
    if (!byKey.has(key)) byKey.set(key, guest); // an address listed twice is one person
  }
  return [...byKey.values()];
}

/** The external people who are contacts of the account, as meeting attendees. */
export function matchedAttendees(event: CalendarEvent, internal: Internal, contactsByEmail: ReadonlyMap<string, string>): MeetingAttendeeDecision[] {
  return externalPeople(event, internal).flatMap((guest) => {
    const key = emailKey(guest.email);
    const contactId = contactsByEmail.get(key);
    if (!contactId) return []; // unknown guests never become contacts (SPEC §4.2)
    return [{ email: guest.email.trim(), emailKey: key, ...(guest.name ? { name: guest.name } : {}), response: guest.response, contactId, organizer: guest.organizer }];
  });
}

/** Every address across these events that could match a contact: one batched lookup per page. */
export function guestEmailsToLookUp(events: CalendarEvent[], account: SyncAccount, connection: SyncConnection): Set<string> {
  const internal = internalPeople(account, connection);
  return new Set(events.flatMap((event) => externalPeople(event, internal).map((guest) => emailKey(guest.email))));
}
