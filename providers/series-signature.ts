/**
 * A series master's signature (`CalendarEvent.seriesSignature`): its recurrence as the provider
 * states it, with the first occurrence's start and end, as one canonical string. Keys are sorted so
 * the same series reads the same from a listing and from a single read.
 */
import type { EventTime } from '../model/calendar-event';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}

export function seriesSignature(recurrence: unknown, start: EventTime | undefined, end: EventTime | undefined): string {
  return JSON.stringify(canonical({ recurrence, start: start ?? null, end: end ?? null }));
}
