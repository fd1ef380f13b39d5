/**
 * Recurring series (SPEC §4.6): the series master stands for its first occurrence; an occurrence is
 * logged on its own only once it differs from the series — moved, edited, cancelled, or with a
 * different answer from a guest.
 */
import type { CalendarEvent } from '../providers/types';
import { emailKey } from './emails';
import type { MeetingAttendeeDecision, SeriesMeeting } from './types';

const sameInstant = (a: string | undefined, b: string | undefined) => (a && b ? Date.parse(a) === Date.parse(b) : a === b);
const sameText = (a: string | undefined, b: string | undefined) => (a ?? '') === (b ?? '');

/** Whether an exception differs from its series as the CRM knows the series. Unknown series: it does. */
export function occurrenceDiffers(event: CalendarEvent, attendees: MeetingAttendeeDecision[], series: SeriesMeeting | undefined): boolean {
  if (!series) return true;
  if (event.originalStart && event.start && !sameInstant(event.start.dateTime, event.originalStart)) return true;
  if (!sameText(event.title, series.title) || !sameText(event.location, series.location) || !sameText(event.description, series.description)) return true;
  const seriesAnswers = new Map(series.attendees.map((a) => [a.emailKey, a.response]));
  return attendees.length !== series.attendees.length || attendees.some((a) => seriesAnswers.get(emailKey(a.email)) !== a.response);
}

/** An instance's end when the provider sent only its original start: the series' own duration. */
export function instanceEnd(start: string, series: SeriesMeeting): string {
  return new Date(Date.parse(start) + (Date.parse(series.endAt) - Date.parse(series.startAt))).toISOString();
}
