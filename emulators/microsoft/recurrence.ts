/**
 * Graph's `patternedRecurrence` expanded into the original starts of a series' occurrences.
 * Supported patterns: `daily`, `weekly` (with `daysOfWeek`), `absoluteMonthly`, `absoluteYearly`;
 * the relative ones ("second Tuesday") are refused with 400 rather than guessed. Everything is
 * evaluated in UTC (the emulator keeps instants; `recurrenceTimeZone` is ignored).
 */
export interface Recurrence {
  pattern: {
    type: 'daily' | 'weekly' | 'absoluteMonthly' | 'absoluteYearly';
    interval: number;
    daysOfWeek?: string[];
    dayOfMonth?: number;
    month?: number;
    firstDayOfWeek?: string;
  };
  range: { type: 'numbered' | 'endDate' | 'noEnd'; startDate?: string; endDate?: string; numberOfOccurrences?: number };
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
/** Expansion stops here: a daily series over more than the service's whole sync window. */
export const MAX_OCCURRENCES = 1000;

const invalid = (message: string) => Object.assign(new Error(message), { status: 400, code: 'ErrorInvalidRequest' });

/** Checks a recurrence from a request body; throws Graph's 400 for what this emulator cannot expand. */
export function parseRecurrence(value: unknown): Recurrence | undefined {
  if (value === null || value === undefined) return undefined;
  const recurrence = value as Recurrence;
  const type = recurrence.pattern?.type;
  if (!['daily', 'weekly', 'absoluteMonthly', 'absoluteYearly'].includes(type)) {
    throw invalid(`recurrence pattern ${String(type)} is not supported by this emulator (daily, weekly, absoluteMonthly, absoluteYearly)`);
  }
  if (!['numbered', 'endDate', 'noEnd'].includes(recurrence.range?.type)) throw invalid('recurrence.range.type must be numbered, endDate or noEnd');
  for (const day of recurrence.pattern.daysOfWeek ?? []) if (!WEEKDAYS.includes(day.toLowerCase())) throw invalid(`unknown day of week ${day}`);
  return recurrence;
}

function candidates(startMs: number, pattern: Recurrence['pattern']): Generator<number> {
  const interval = Math.max(1, pattern.interval || 1);
  const start = new Date(startMs);
  const timeOfDay = startMs % DAY_MS;
  const utc = (year: number, month: number, day: number) => Date.UTC(year, month, day) + timeOfDay;
  return (function* () {
    switch (pattern.type) {
      case 'daily':
        for (let i = 0; ; i++) yield startMs + i * interval * DAY_MS;
      case 'weekly': {
        const firstDay = Math.max(0, WEEKDAYS.indexOf((pattern.firstDayOfWeek ?? 'sunday').toLowerCase()));
        const sinceFirstDay = (day: number) => (day - firstDay + 7) % 7;
        const named = pattern.daysOfWeek?.length ? pattern.daysOfWeek : [WEEKDAYS[start.getUTCDay()]!];
        const offsets = [...new Set(named.map((d) => sinceFirstDay(WEEKDAYS.indexOf(d.toLowerCase()))))].sort((a, b) => a - b);
        const weekStart = startMs - sinceFirstDay(start.getUTCDay()) * DAY_MS;
        for (let week = 0; ; week += interval) {
          for (const offset of offsets) yield weekStart + (week * 7 + offset) * DAY_MS;
        }
      }
      case 'absoluteMonthly': {
        const day = pattern.dayOfMonth ?? start.getUTCDate();
        for (let i = 0; ; i += interval) {
          const month = start.getUTCMonth() + i;
          // Months without that day (the 31st) are skipped, as Outlook does.
          if (new Date(utc(start.getUTCFullYear(), month, day)).getUTCDate() === day) yield utc(start.getUTCFullYear(), month, day);
        }
      }
      case 'absoluteYearly': {
        const month = (pattern.month ?? start.getUTCMonth() + 1) - 1;
        const day = pattern.dayOfMonth ?? start.getUTCDate();
        for (let i = 0; ; i += interval) {
          const at = utc(start.getUTCFullYear() + i, month, day);
          if (new Date(at).getUTCDate() === day) yield at;
        }
      }
    }
  })();
}

/** The original starts of a series beginning at `startMs`, in order, at most MAX_OCCURRENCES. */
export function expandRecurrence(startMs: number, recurrence: Recurrence): number[] {
  const { range } = recurrence;
  const count = range.type === 'numbered' ? Math.min(Math.max(1, range.numberOfOccurrences ?? 1), MAX_OCCURRENCES) : MAX_OCCURRENCES;
  // `endDate` is inclusive: the last occurrence may start any time that day.
  const until = range.type === 'endDate' && range.endDate ? Date.parse(`${range.endDate}T00:00:00Z`) + DAY_MS : Infinity;
  const starts: number[] = [];
  for (const at of candidates(startMs, recurrence.pattern)) {
    if (at < startMs) continue; // days of the first week before the series starts
    if (at >= until || starts.length >= count) break;
    starts.push(at);
  }
  return starts;
}
