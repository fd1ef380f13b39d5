/**
 * Time zones, pure: wall-clock times ↔ instants with the runtime's own zone database (Intl), and the
 * Windows zone names Outlook and Graph use ("W. Europe Standard Time") as IANA names, through CLDR's
 * windowsZones table as the `windows-iana` package ships it. Shared by the Graph adapter and both
 * provider emulators.
 */
import { findIana } from 'windows-iana';

/** Graph's own name for UTC in `originalStartTimeZone`, which is neither Windows nor IANA. */
const GRAPH_UTC = 'tzone://Microsoft/Utc';

/**
 * Formatters and name lookups are cached: building an Intl formatter costs far more than using one,
 * and every rendered time needs one. The caches hold one entry per zone name seen; a flood of
 * made-up names only restarts them.
 */
const MAX_CACHED_NAMES = 2000;
/** A zone's wall-clock formatter, or null for zones the runtime resolves to UTC (no arithmetic needed). */
const formatters = new Map<string, Intl.DateTimeFormat | null>();
const ianaNames = new Map<string, string | undefined>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= MAX_CACHED_NAMES) cache.clear();
  cache.set(key, value);
  return value;
}

/** The wall-clock formatter of IANA `zone` (null for UTC); throws a RangeError for a zone the runtime does not know. */
function formatterOf(zone: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(zone);
  if (cached !== undefined) return cached;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  return remember(formatters, zone, format.resolvedOptions().timeZone === 'UTC' ? null : format);
}

/** Whether the runtime knows `zone` as an IANA name (as the API checks a meeting's zone). */
export function isIanaZone(zone: string): boolean {
  try {
    formatterOf(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The IANA name of a zone named either way; undefined for anything else (Graph's "Customized Time
 * Zone", a typo): an unknown zone is no zone, never an error. A Windows name maps to CLDR's default
 * zone for it (territory 001), e.g. "Romance Standard Time" → Europe/Paris.
 */
export function ianaZoneOf(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  if (ianaNames.has(name)) return ianaNames.get(name);
  // IANA first, so "UTC" (a Windows name too) stays "UTC" rather than becoming "Etc/UTC".
  const iana = name === GRAPH_UTC ? 'UTC' : isIanaZone(name) ? name : findIana(name)[0];
  return remember(ianaNames, name, iana);
}

/** UTC offset of IANA `zone` at the instant `utcMs`, in ms. */
export function zoneOffsetMs(zone: string, utcMs: number): number {
  const format = formatterOf(zone);
  if (!format) return 0;
  const wholeSecondMs = utcMs - (((utcMs % 1000) + 1000) % 1000);
  const parts = format.formatToParts(new Date(wholeSecondMs));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - wholeSecondMs;
}

/**
 * The instant a wall-clock time without offset ("2026-12-10T09:00:00", Graph's seven fractional
 * digits allowed) names in IANA `zone`; NaN when it is no date-time. A time a DST gap skips lands
 * after the gap.
 */
export function instantOfWallTime(wallTime: string, zone: string): number {
  const asUtc = Date.parse(`${wallTime.replace(/(\.\d{3})\d*$/, '$1')}Z`);
  if (Number.isNaN(asUtc)) return Number.NaN;
  return asUtc - zoneOffsetMs(zone, asUtc - zoneOffsetMs(zone, asUtc));
}

/** The wall-clock time of `utcMs` in IANA `zone`, without offset: "2026-12-10T09:00:00.000". */
export function wallTimeOf(utcMs: number, zone: string): string {
  return new Date(utcMs + zoneOffsetMs(zone, utcMs)).toISOString().slice(0, -1);
}
