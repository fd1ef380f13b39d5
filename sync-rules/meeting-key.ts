/**
 * The key that makes one CRM meeting per real meeting (SPEC §4.10). Copies of one event in several
 * users' calendars share its iCalUID (Google shares the event id too, Microsoft does not); one
 * occurrence of a series adds its original start, as a UTC instant so any offset gives the same key.
 * Provider ids are never parsed. Without an iCalUID the provider id is the best there is.
 */
import type { CalendarEvent } from '../model/calendar-event';
import { isInstance } from './eligibility';

export function meetingKeyOf(event: CalendarEvent): string {
  const base = event.iCalUID ? `ical:${event.iCalUID}` : `event:${event.id}`;
  return isInstance(event) && event.originalStart ? `${base}@${new Date(event.originalStart).toISOString()}` : base;
}
