/**
 * Whether an original start names an occurrence of a Google series (RFC 5545 RRULE, RDATE and
 * EXDATE lines). Google expands a series in the zone of its start ("for recurring events … the time
 * zone in which the recurrence is expanded", events resource `start.timeZone`): on local days at
 * the start's local time, so an occurrence's UTC instant moves when summer time starts or ends. The
 * emulator keeps no expanded instances; it asks here before it makes an instance id into one.
 *
 * Understood: FREQ=DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, COUNT, UNTIL, WKST, BYDAY (ordinals
 * such as -1FR in monthly rules and yearly ones with BYMONTH), BYMONTHDAY, BYMONTH. A date a month
 * lacks (the 31st, February 29) is skipped, as RFC 5545 §3.3.10 says. DTSTART is always the first
 * occurrence. A rule with anything else (BYSETPOS, BYWEEKNO, EXRULE, …) is not expanded: its
 * instance ids are taken on trust (`undefined`).
 */
import { instantOfWallTime } from '../../../lib/time-zones';
import { dayNumber, daysInMonth, instantOn, localStartOf, weekdayOf, type LocalStart } from '../shared/local-days';
import { timeMs, type EventDateTime, type EventRecord } from './event-model';

const DAY_MS = 86_400_000;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const FREQUENCIES = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;

interface Rule {
  freq: (typeof FREQUENCIES)[number];
  interval: number;
  count?: number;
  /** The last day (a date UNTIL) or the last instant (a date-time one), inclusive. */
  until?: DateValue;
  byDay?: { weekday: number; ordinal?: number }[];
  byMonthDay?: number[];
  byMonth?: number[];
  wkst: number;
}

/** A date (`day`, a day number) or an instant (`ms`). */
type DateValue = { day: number; ms?: undefined } | { ms: number; day?: undefined };

/** `20300401`, `20300401T070000Z`, or a floating `20300401T090000` read in `zone`. */
function parseDateValue(text: string, zone: string): DateValue | undefined {
  const match = /^(\d{4})(\d\d)(\d\d)(?:T(\d\d)(\d\d)(\d\d)(Z?))?$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, utc] = match;
  if (h === undefined) return { day: dayNumber(Number(y), Number(mo) - 1, Number(d)) };
  const wall = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  return { ms: utc ? Date.parse(`${wall}Z`) : instantOfWallTime(wall, zone) };
}

const integers = (text: string) => text.split(',').map(Number);

function parseRule(value: string, zone: string): Rule | undefined {
  const parts = new Map(value.split(';').map((part) => part.split('=') as [string, string]));
  const freq = parts.get('FREQ') as Rule['freq'];
  if (!FREQUENCIES.includes(freq)) return undefined;
  const rule: Rule = { freq, interval: Number(parts.get('INTERVAL') ?? 1), wkst: WEEKDAYS.indexOf(parts.get('WKST') ?? 'MO') };
  for (const [key, text] of parts) {
    if (key === 'COUNT') rule.count = Number(text);
    else if (key === 'UNTIL') rule.until = parseDateValue(text, zone);
    else if (key === 'BYMONTHDAY') rule.byMonthDay = integers(text);
    else if (key === 'BYMONTH') rule.byMonth = integers(text);
    else if (key === 'BYDAY') {
      rule.byDay = text.split(',').map((entry) => {
        const [, ordinal, weekday] = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(entry) ?? [];
        return { weekday: WEEKDAYS.indexOf(weekday ?? ''), ...(ordinal ? { ordinal: Number(ordinal) } : {}) };
      });
    } else if (!['FREQ', 'INTERVAL', 'WKST'].includes(key)) return undefined;
  }
  const numbers = [rule.interval, rule.count ?? 1, ...(rule.byMonthDay ?? []), ...(rule.byMonth ?? [])];
  if (numbers.some((n) => !Number.isInteger(n)) || rule.interval < 1 || rule.wkst < 0 || (parts.has('UNTIL') && !rule.until)) return undefined;
  if (rule.byDay?.some((d) => d.weekday < 0)) return undefined;
  // Ordinals count within a month: a weekly rule has none, a yearly one needs its months.
  const ordinals = rule.byDay?.some((d) => d.ordinal !== undefined);
  if (ordinals && (freq === 'WEEKLY' || freq === 'DAILY' || (freq === 'YEARLY' && !rule.byMonth) || rule.byMonthDay)) return undefined;
  if (freq === 'YEARLY' && !rule.byMonth && (rule.byDay || rule.byMonthDay)) return undefined;
  return rule;
}

/** The days of one month a monthly (or yearly, per month) rule picks, in order. */
function daysOfMonth(rule: Rule, start: LocalStart, year: number, month0: number): number[] {
  const first = dayNumber(year, month0, 1);
  const length = daysInMonth(year, month0);
  const inMonth = (date: number) => (date > 0 ? date : length + 1 + date);
  let dates: number[];
  if (rule.byMonthDay) dates = rule.byMonthDay.map(inMonth);
  else if (rule.byDay) {
    dates = rule.byDay.flatMap(({ weekday, ordinal }) => {
      const all = Array.from({ length }, (_, i) => i + 1).filter((date) => weekdayOf(first + date - 1) === weekday);
      if (ordinal === undefined) return all;
      const picked = ordinal > 0 ? all[ordinal - 1] : all[all.length + ordinal];
      return picked === undefined ? [] : [picked];
    });
  } else dates = [start.date];
  const weekdays = rule.byMonthDay && rule.byDay ? rule.byDay.map((d) => d.weekday) : undefined;
  return [...new Set(dates)]
    .filter((date) => date >= 1 && date <= length) // a date the month lacks is skipped
    .map((date) => first + date - 1)
    .filter((day) => !weekdays || weekdays.includes(weekdayOf(day)))
    .sort((a, b) => a - b);
}

const inMonths = (rule: Rule, day: number) => !rule.byMonth || rule.byMonth.includes(new Date(day * DAY_MS).getUTCMonth() + 1);

/** The rule's periods (a day, a week, a month, a year) from the one holding the start: its first day and the days it picks. */
function* periods(rule: Rule, start: LocalStart): Generator<{ first: number; days: number[] }> {
  const step = rule.interval;
  for (let i = 0; ; i += step) {
    switch (rule.freq) {
      case 'DAILY': {
        const day = start.day + i;
        const weekdayOk = !rule.byDay || rule.byDay.some((d) => d.weekday === weekdayOf(day));
        const dateOk = !rule.byMonthDay || daysOfMonth({ ...rule, byDay: undefined }, start, ...yearMonth(day)).includes(day);
        yield { first: day, days: weekdayOk && dateOk && inMonths(rule, day) ? [day] : [] };
        break;
      }
      case 'WEEKLY': {
        const sinceWeekStart = (weekday: number) => (weekday - rule.wkst + 7) % 7;
        const first = start.day - sinceWeekStart(start.weekday) + i * 7;
        const weekdays = rule.byDay ? rule.byDay.map((d) => d.weekday) : [start.weekday];
        const days = [...new Set(weekdays.map((weekday) => first + sinceWeekStart(weekday)))].sort((a, b) => a - b);
        yield { first, days: days.filter((day) => inMonths(rule, day)) };
        break;
      }
      case 'MONTHLY': {
        const [year, month0] = yearMonth(dayNumber(start.year, start.month0 + i, 1));
        const days = inMonths(rule, dayNumber(year, month0, 1)) ? daysOfMonth(rule, start, year, month0) : [];
        yield { first: dayNumber(year, month0, 1), days };
        break;
      }
      case 'YEARLY': {
        const year = start.year + i;
        const months = rule.byMonth ?? [start.month0 + 1];
        yield { first: dayNumber(year, 0, 1), days: months.flatMap((month) => daysOfMonth(rule, start, year, month - 1)).sort((a, b) => a - b) };
        break;
      }
    }
  }
}

function yearMonth(day: number): [number, number] {
  const at = new Date(day * DAY_MS);
  return [at.getUTCFullYear(), at.getUTCMonth()];
}

/** Whether `rule`, from `start`, has an occurrence on `targetDay` at the instant `targetMs`. */
function ruleHits(rule: Rule, start: LocalStart, targetDay: number, targetMs: number): boolean {
  let index = 1; // DTSTART is the first
  for (const period of periods(rule, start)) {
    if (period.first > targetDay) return false;
    for (const day of period.days) {
      if (day <= start.day) continue;
      if (day > targetDay || (rule.count !== undefined && index >= rule.count)) return false;
      if (rule.until?.day !== undefined && day > rule.until.day) return false;
      index += 1;
      if (day === targetDay) return rule.until?.ms === undefined || targetMs <= rule.until.ms;
    }
  }
  return false;
}

/**
 * Whether `originalStart` (an instant, or a date for an all-day series) is an occurrence of `series`;
 * undefined when its recurrence has a part this emulator does not expand.
 */
export function occursAt(series: EventRecord, originalStart: EventDateTime): boolean | undefined {
  const allDay = series.start.date !== undefined;
  const zone = (!allDay && series.start.timeZone) || 'UTC';
  const startMs = timeMs(series.start);
  const targetMs = timeMs(originalStart);
  const start = localStartOf(startMs, zone);
  const targetDay = localStartOf(targetMs, zone).day;
  const rules: Rule[] = [];
  const excluded: DateValue[] = [];
  const added: DateValue[] = [];
  for (const line of series.recurrence ?? []) {
    const [, name, params = '', value = ''] = /^([A-Z]+)((?:;[^:]*)?):(.*)$/.exec(line) ?? [];
    const dateZone = /;TZID=([^;:]+)/.exec(params)?.[1] ?? zone;
    if (name === 'RRULE') {
      const rule = parseRule(value, zone);
      if (!rule) return undefined;
      rules.push(rule);
    } else if (name === 'EXDATE' || name === 'RDATE') {
      const dates = value.split(',').map((text) => parseDateValue(text, dateZone));
      if (dates.some((date) => !date)) return undefined;
      (name === 'EXDATE' ? excluded : added).push(...(dates as DateValue[]));
    } else return undefined;
  }
  const names = (date: DateValue) => (date.ms !== undefined ? date.ms === targetMs : date.day === targetDay);
  if (excluded.some(names)) return false;
  if (targetMs === startMs || added.some(names)) return true;
  // Every occurrence starts at the series' local time of day.
  if (targetMs !== (allDay ? targetDay * DAY_MS : instantOn(targetDay, start.time, zone))) return false;
  return rules.some((rule) => ruleHits(rule, start, targetDay, targetMs));
}
