/**
 * Calendar days of a time zone, for both emulators' series expansion: a series repeats on local days
 * at one local time of day, so its UTC instants move when summer time starts or ends. A day is a
 * day number (days since 1970-01-01), which turns week and month arithmetic into integer arithmetic.
 */
import { instantOfWallTime, wallTimeOf } from '../../../lib/time-zones';

const DAY_MS = 86_400_000;

/** The day number of a date; a month or day out of range rolls over, as `Date.UTC` does. */
export const dayNumber = (year: number, month0: number, date: number) => Math.floor(Date.UTC(year, month0, date) / DAY_MS);

/** The day number of `YYYY-MM-DD` (or of the date part of a longer ISO string). */
export const dayOfIso = (iso: string) => Math.floor(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / DAY_MS);

export const isoDateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export const weekdayOf = (day: number) => (((day + 4) % 7) + 7) % 7;

export const daysInMonth = (year: number, month0: number) => new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();

export interface LocalStart {
  day: number;
  year: number;
  month0: number;
  date: number;
  weekday: number;
  /** The local time of day, `HH:MM:SS.mmm`. */
  time: string;
}

/** Where the instant `ms` falls in IANA `zone`: its local day and time of day. */
export function localStartOf(ms: number, zone: string): LocalStart {
  const wall = wallTimeOf(ms, zone);
  const day = dayOfIso(wall);
  const at = new Date(day * DAY_MS);
  return { day, year: at.getUTCFullYear(), month0: at.getUTCMonth(), date: at.getUTCDate(), weekday: weekdayOf(day), time: wall.slice(11) };
}

/** The instant of local time `time` on `day` in IANA `zone` (a time a DST gap skips lands after it). */
export const instantOn = (day: number, time: string, zone: string) => instantOfWallTime(`${isoDateOf(day)}T${time}`, zone);
