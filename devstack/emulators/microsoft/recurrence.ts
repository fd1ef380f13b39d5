/**
 * Graph's `patternedRecurrence` expanded into the original starts of a series' occurrences, as
 * Outlook repeats a series: on local days of the series' zone (`range.recurrenceTimeZone`, which
 * defaults to the zone of the event's start) at the start's local time, so a weekly 09:00 Paris
 * meeting stays at 09:00 across a change of summer time and its UTC instant moves by an hour.
 *
 * Patterns as https://learn.microsoft.com/en-us/graph/api/resources/recurrencepattern documents
 * them: daily, weekly, absoluteMonthly, absoluteYearly, relativeMonthly, relativeYearly. A relative
 * pattern falls on the `index`-th (first … fourth, or last) day of the month that is one of
 * `daysOfWeek` ("the second Thursday or Friday"). A day of the month that a month lacks (the 31st,
 * February 29) falls on the month's last day, as Exchange documents for DayOfMonth
 * (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/dayofmonth).
 * Ranges as https://learn.microsoft.com/en-us/graph/api/resources/recurrencerange: `endDate` is a
 * local date of the series' zone, inclusive. Anything else is refused with Graph's 400.
 */
import { ianaZoneOf } from '../../../lib/time-zones';
import { dayNumber, dayOfIso, daysInMonth, instantOn, localStartOf, weekdayOf, type LocalStart } from '../shared/local-days';

const PATTERNS = ['daily', 'weekly', 'absoluteMonthly', 'absoluteYearly', 'relativeMonthly', 'relativeYearly'] as const;
const INDEXES = ['first', 'second', 'third', 'fourth', 'last'] as const;
const RANGES = ['numbered', 'endDate', 'noEnd'] as const;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export interface Recurrence {
  pattern: {
    type: (typeof PATTERNS)[number];
    interval: number;
    daysOfWeek?: string[];
    dayOfMonth?: number;
    month?: number;
    firstDayOfWeek?: string;
    index?: (typeof INDEXES)[number];
  };
  range: {
    type: (typeof RANGES)[number];
    startDate?: string;
    endDate?: string;
    numberOfOccurrences?: number;
    /** Windows or IANA name; filled in from the event's start zone when a request names none. */
    recurrenceTimeZone?: string;
  };
}

/** Expansion stops here: a daily series over more than the service's whole sync window. */
export const MAX_OCCURRENCES = 1000;

const invalid = (message: string) => Object.assign(new Error(message), { status: 400, code: 'ErrorInvalidRequest' });
const isIntegerIn = (value: unknown, min: number, max: number) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

/**
 * Checks a recurrence from a request body and returns a copy to store; `startZone` (the zone of the
 * event's start) stands in for a missing `recurrenceTimeZone`, as Graph echoes one back. Throws
 * Graph's 400 for what this emulator cannot expand.
 */
export function parseRecurrence(value: unknown, startZone: string): Recurrence | undefined {
  if (value === null || value === undefined) return undefined;
  const { pattern, range } = value as Partial<Recurrence>;
  if (!pattern || !PATTERNS.includes(pattern.type)) throw invalid(`recurrence pattern ${String(pattern?.type)} is not supported by this emulator (${PATTERNS.join(', ')})`);
  const { type } = pattern;
  if (!range || !RANGES.includes(range.type)) throw invalid('recurrence.range.type must be numbered, endDate or noEnd');
  for (const day of pattern.daysOfWeek ?? []) if (!WEEKDAYS.includes(String(day).toLowerCase())) throw invalid(`unknown day of week ${day}`);
  if (type.startsWith('relative') && !pattern.daysOfWeek?.length) throw invalid(`recurrence.pattern.daysOfWeek is required for ${type}`);
  if (pattern.index !== undefined && !INDEXES.includes(pattern.index)) throw invalid(`recurrence.pattern.index must be one of ${INDEXES.join(', ')}`);
  if (pattern.month !== undefined && !isIntegerIn(pattern.month, 1, 12)) throw invalid('recurrence.pattern.month must be 1 to 12');
  if (pattern.dayOfMonth !== undefined && !isIntegerIn(pattern.dayOfMonth, 1, 31)) throw invalid('recurrence.pattern.dayOfMonth must be 1 to 31');
  if (range.type === 'endDate' && !/^\d{4}-\d\d-\d\d$/.test(range.endDate ?? '')) throw invalid('recurrence.range.endDate is required for an endDate range');
  if (range.type === 'numbered' && !isIntegerIn(range.numberOfOccurrences, 1, Number.MAX_SAFE_INTEGER)) {
    throw invalid('recurrence.range.numberOfOccurrences must be positive for a numbered range');
  }
  const recurrenceTimeZone = range.recurrenceTimeZone || startZone;
  if (!ianaZoneOf(recurrenceTimeZone)) throw invalid(`A valid TimeZone value must be specified. The following TimeZone value is not supported: '${recurrenceTimeZone}'.`);
  return { pattern: { ...pattern }, range: { ...range, recurrenceTimeZone } };
}

const weekdayIndex = (name: string) => WEEKDAYS.indexOf(name.toLowerCase());

/** The day `dayOfMonth` of a month, or its last day when it is shorter. */
const onDayOfMonth = (year: number, month0: number, dayOfMonth: number) => dayNumber(year, month0, Math.min(dayOfMonth, daysInMonth(year, month0)));

/** The `index`-th day of a month that is one of `weekdays` (counted from the month's start, or its last). */
function relativeDay(year: number, month0: number, weekdays: number[], index: Recurrence['pattern']['index'] = 'first'): number {
  const first = dayNumber(year, month0, 1);
  const matching: number[] = [];
  for (let day = first; day < first + daysInMonth(year, month0); day++) if (weekdays.includes(weekdayOf(day))) matching.push(day);
  return index === 'last' ? matching[matching.length - 1]! : matching[INDEXES.indexOf(index)]!;
}

/** Candidate local days in increasing order, from the period holding the start on (earlier ones are the caller's to skip). */
function* candidateDays(start: LocalStart, pattern: Recurrence['pattern']): Generator<number> {
  const interval = Math.max(1, Math.floor(pattern.interval) || 1);
  const named = (pattern.daysOfWeek ?? []).map(weekdayIndex);
  const month0 = (pattern.month ?? start.month0 + 1) - 1;
  const dayOfMonth = pattern.dayOfMonth ?? start.date;
  switch (pattern.type) {
    case 'daily':
      for (let i = 0; ; i += interval) yield start.day + i;
    case 'weekly': {
      const firstDay = Math.max(0, weekdayIndex(pattern.firstDayOfWeek ?? 'sunday'));
      const sinceFirstDay = (weekday: number) => (weekday - firstDay + 7) % 7;
      const offsets = [...new Set((named.length ? named : [start.weekday]).map(sinceFirstDay))].sort((a, b) => a - b);
      const weekStart = start.day - sinceFirstDay(start.weekday);
      for (let week = 0; ; week += interval) for (const offset of offsets) yield weekStart + week * 7 + offset;
    }
    case 'absoluteMonthly':
      for (let i = 0; ; i += interval) yield onDayOfMonth(start.year, start.month0 + i, dayOfMonth);
    case 'absoluteYearly':
      for (let i = 0; ; i += interval) yield onDayOfMonth(start.year + i, month0, dayOfMonth);
    case 'relativeMonthly':
      for (let i = 0; ; i += interval) yield relativeDay(start.year, start.month0 + i, named, pattern.index);
    case 'relativeYearly':
      for (let i = 0; ; i += interval) yield relativeDay(start.year + i, month0, named, pattern.index);
  }
}

/**
 * The original starts (UTC ms) of a series beginning at `startMs`, in order, at most MAX_OCCURRENCES.
 * `zone` is the series' zone when the recurrence names none (state saved before recurrences kept
 * their zone was expanded in UTC, so that is the default).
 */
export function expandRecurrence(startMs: number, recurrence: Recurrence, zone = 'UTC'): number[] {
  const { range } = recurrence;
  const iana = ianaZoneOf(range.recurrenceTimeZone ?? zone) ?? 'UTC';
  const start = localStartOf(startMs, iana);
  const count = range.type === 'numbered' ? Math.min(Math.max(1, range.numberOfOccurrences ?? 1), MAX_OCCURRENCES) : MAX_OCCURRENCES;
  const lastDay = range.type === 'endDate' && range.endDate ? dayOfIso(range.endDate) : Infinity;
  const starts: number[] = [];
  for (const day of candidateDays(start, recurrence.pattern)) {
    if (day < start.day) continue; // days of the first period before the series starts
    if (day > lastDay || starts.length >= count) break;
    // The start itself as given: a wall time that summer time's end repeats names two instants.
    starts.push(day === start.day ? startMs : instantOn(day, start.time, iana));
  }
  return starts;
}
