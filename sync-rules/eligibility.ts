/**
 * Whether a calendar change may touch a meeting at all: deletions, privacy (SPEC §4.7), the
 * connect-time baseline (§4.3) and recurring series (§4.6). Which guests match is guests.ts's job.
 */
import type { CalendarEvent } from '../model/calendar-event';
import type { DecisionInput, IgnoreReason, MeetingAttendeeDecision, SeriesMeeting } from './types';

/** The event left this calendar: deleted, declined away or cancelled by its organizer. */
export const isGone = (event: CalendarEvent): boolean => event.removed === true || event.status === 'cancelled';

/** One occurrence of a series, moved/edited or not. */
export const isInstance = (event: CalendarEvent): boolean => (event.kind === 'occurrence' || event.kind === 'exception') && event.seriesMasterId !== undefined;

/**
 * §4.7: a private event is never synced, and a linked one made private keeps its meeting but stops
 * updating it (`frozen`). A frozen event that is public again is not held back here: the next upsert
 * thaws its link.
 */
export function privacyRule(input: DecisionInput): { action: 'freezeLink' } | { action: 'ignore'; reason: IgnoreReason } | undefined {
  const { event, existing } = input;
  if (event.visibility !== 'private') return undefined;
  if (existing?.kind !== 'meeting') return { action: 'ignore', reason: 'private' };
  return existing.frozen ? { action: 'ignore', reason: 'frozen' } : { action: 'freezeLink' };
}

/** §4.3: the initial sync saw this event, or the series it belongs to. */
function existedBeforeConnect(event: CalendarEvent, baselineEventIds: ReadonlySet<string>): boolean {
  return baselineEventIds.has(event.id) || (event.seriesMasterId !== undefined && baselineEventIds.has(event.seriesMasterId));
}

/**
 * Why an event no calendar of this user links yet does not become a meeting, if it does not.
 * `attendees` are its matched contacts. The series master stands for the first occurrence (§4.6), so
 * unmodified occurrences never count and an exception counts only when it differs from its series.
 */
export function whyNotNew(input: DecisionInput, attendees: MeetingAttendeeDecision[]): IgnoreReason | undefined {
  const { event, seriesMeeting } = input;
  if (existedBeforeConnect(event, input.baselineEventIds)) return 'existedBeforeConnect';
  if (event.kind === 'occurrence') return 'seriesOccurrence';
  if (event.kind === 'exception' && seriesMeeting && !differsFromSeries(event, attendees, seriesMeeting)) return 'unchangedOccurrence';
  if (attendees.length === 0) return 'noContactGuests';
  return undefined;
}

const sameInstant = (a: string, b: string) => Date.parse(a) === Date.parse(b);
const sameText = (a: string | undefined, b: string | undefined) => (a ?? '') === (b ?? '');

/** Moved, resized, retitled, relocated, redescribed, or a contact answered differently than for the series. */
function differsFromSeries(event: CalendarEvent, attendees: MeetingAttendeeDecision[], series: SeriesMeeting): boolean {
  const start = event.start?.dateTime;
  const end = event.end?.dateTime;
  if (event.originalStart && start && !sameInstant(start, event.originalStart)) return true;
  if (start && end && !sameInstant(end, instanceEnd(start, series))) return true;
  if (!sameText(event.title, series.title) || !sameText(event.location, series.location) || !sameText(event.description, series.description)) return true;
  const seriesAnswers = new Map(series.attendees.map((a) => [a.emailKey, a.response]));
  return attendees.length !== series.attendees.length || attendees.some((a) => seriesAnswers.get(a.emailKey) !== a.response);
}

/** An occurrence's end when only its start is known: the series' own duration later. */
export function instanceEnd(start: string, series: SeriesMeeting): string {
  return new Date(Date.parse(start) + Date.parse(series.endAt) - Date.parse(series.startAt)).toISOString();
}
