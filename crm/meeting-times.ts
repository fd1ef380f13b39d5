/**
 * A meeting's start and end as the API takes them: instants with an offset, or for an all-day meeting
 * dates (`2026-12-10`) with the end exclusive, as Google's `end.date` and Graph's closing midnight
 * have it. An all-day boundary is stored as its date at 00:00 UTC (providers/types.ts `EventTime`),
 * so its date never depends on a zone. Pure.
 */
import type { FieldProblem } from './errors';

export interface TimesInput {
  startAt?: string;
  endAt?: string;
  allDay?: boolean;
}

export interface MeetingTimes {
  startAt: Date;
  endAt: Date;
  allDay: boolean;
}

const FIELDS = ['startAt', 'endAt'] as const;

export const isDate = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value);

/** A date is its 00:00 UTC; anything else is the instant it names. */
export const boundaryOf = (value: string): Date => new Date(isDate(value) ? `${value}T00:00:00.000Z` : value);

/** Each given boundary must have the form `allDay` asks for: dates for an all-day meeting, date-times otherwise. */
export function formProblems(input: TimesInput, allDay: boolean): FieldProblem[] {
  return FIELDS.flatMap((field) => {
    const value = input[field];
    if (value === undefined || isDate(value) === allDay) return [];
    return [{ field, problem: allDay ? 'must be a date (YYYY-MM-DD) for an all-day meeting, not a date-time' : 'is a date: send allDay: true for an all-day meeting, or give a date-time with offset' }];
  });
}

/**
 * The times `input` asks for over `current` (a PATCH's meeting as stored; none for a new meeting), and
 * what is wrong with them. Turning all-day on or off needs both new boundaries: a date-time has no
 * one date, and a date no time.
 */
export function resolveTimes(input: TimesInput, current?: MeetingTimes): MeetingTimes & { problems: FieldProblem[] } {
  const allDay = input.allDay ?? current?.allDay ?? false;
  const problems = formProblems(input, allDay);
  if (current && allDay !== current.allDay) {
    for (const field of FIELDS) {
      if (input[field] === undefined) problems.push({ field, problem: `is required when allDay changes: ${allDay ? 'the dates' : 'the date-times'} of the meeting` });
    }
  }
  const startAt = input.startAt !== undefined ? boundaryOf(input.startAt) : current!.startAt;
  const endAt = input.endAt !== undefined ? boundaryOf(input.endAt) : current!.endAt;
  if (problems.length === 0 && endAt <= startAt) {
    problems.push({
      field: input.endAt !== undefined ? 'endAt' : 'startAt',
      problem: allDay
        ? 'the meeting must end after it starts; an all-day endAt is exclusive, the day after the last day (a one-day meeting on 2026-12-10 ends 2026-12-11)'
        : 'the meeting must end after it starts',
    });
  }
  return { startAt, endAt, allDay, problems };
}
