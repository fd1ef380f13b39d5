/**
 * The key that makes one CRM meeting per real meeting (SPEC §4.10). Copies of one event in several
 * users' calendars share its iCalUID (Google also shares the id, Microsoft does not); one occurrence
 * of a series adds its original start. Without an iCalUID the provider id is the best there is.
 */
import type { CalendarEvent } from '../providers/types';

const instant = (iso: string) => new Date(iso).toISOString();

export function meetingKeyOf(event: CalendarEvent): string {
  const base = event.iCalUID ? `ical:${event.iCalUID}` : `event:${event.seriesMasterId ?? event.id}`;
  const isInstance = (event.kind === 'occurrence' || event.kind === 'exception') && event.originalStart;
  return isInstance ? `${base}@${instant(event.originalStart!)}` : base;
}
