/**
 * Time zones in the provider mappings, pure: Windows and IANA names to IANA (unknown ones to no zone),
 * wall times ↔ instants, Graph events read in their own zone, all-day dates that never shift across
 * zones (Graph and Google), and the Graph bodies the CRM writes in the meeting's zone.
 */
import { ianaZoneOf, instantOfWallTime, wallTimeOf } from '../../lib/time-zones';
import { mapTime } from '../../providers/google/map-event';
import { mapGraphEvent, type GraphEvent } from '../../providers/microsoft/map-event';
import { graphEventBody } from '../../providers/microsoft/write-body';

describe('zone names', () => {
  it('maps Windows names to CLDR’s zone for them and keeps IANA names', () => {
    expect(ianaZoneOf('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(ianaZoneOf('Romance Standard Time')).toBe('Europe/Paris');
    expect(ianaZoneOf('Tokyo Standard Time')).toBe('Asia/Tokyo');
    expect(ianaZoneOf('Pacific Standard Time')).toBe('America/Los_Angeles');
    expect(ianaZoneOf('UTC-11')).toBe('Etc/GMT+11');
    expect(ianaZoneOf('Europe/Paris')).toBe('Europe/Paris');
    expect(ianaZoneOf('UTC')).toBe('UTC');
    expect(ianaZoneOf('tzone://Microsoft/Utc')).toBe('UTC');
  });

  it('gives no zone for names it does not know, never an error', () => {
    for (const name of ['Customized Time Zone', 'tzone://Microsoft/Custom', 'Mars/Olympus', '', null, undefined]) expect(ianaZoneOf(name)).toBeUndefined();
  });
});

describe('wall times', () => {
  it('reads a wall time in its zone, summer and winter, Graph’s seven fractional digits included', () => {
    expect(new Date(instantOfWallTime('2026-12-10T09:00:00', 'Europe/Paris')).toISOString()).toBe('2026-12-10T08:00:00.000Z');
    expect(new Date(instantOfWallTime('2026-07-01T09:00:00.0000000', 'Europe/Paris')).toISOString()).toBe('2026-07-01T07:00:00.000Z');
    expect(new Date(instantOfWallTime('2026-12-10T00:00:00', 'America/Los_Angeles')).toISOString()).toBe('2026-12-10T08:00:00.000Z');
    expect(instantOfWallTime('not a time', 'UTC')).toBeNaN();
  });

  it('renders an instant as the wall time of a zone', () => {
    expect(wallTimeOf(Date.parse('2026-12-09T15:00:00Z'), 'Asia/Tokyo')).toBe('2026-12-10T00:00:00.000');
    expect(wallTimeOf(Date.parse('2026-07-01T07:00:00.250Z'), 'Europe/Paris')).toBe('2026-07-01T09:00:00.250');
  });
});

describe('Graph event times', () => {
  const graphEvent = (fields: Partial<GraphEvent>): GraphEvent => ({ id: 'e1', subject: 'Event', ...fields });

  it('reports the event’s own zone as IANA and the instant, however the times are rendered', () => {
    const inUtc = mapGraphEvent(graphEvent({
      originalStartTimeZone: 'W. Europe Standard Time',
      originalEndTimeZone: 'W. Europe Standard Time',
      start: { dateTime: '2026-12-10T08:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-12-10T09:00:00.0000000', timeZone: 'UTC' },
    }));
    expect(inUtc.start).toEqual({ dateTime: '2026-12-10T08:00:00.000Z', timeZone: 'Europe/Berlin', allDay: false });
    expect(inUtc.end).toEqual({ dateTime: '2026-12-10T09:00:00.000Z', timeZone: 'Europe/Berlin', allDay: false });
    const inOwnZone = mapGraphEvent(graphEvent({ start: { dateTime: '2026-12-10T09:00:00.0000000', timeZone: 'Romance Standard Time' } }));
    expect(inOwnZone.start).toEqual({ dateTime: '2026-12-10T08:00:00.000Z', timeZone: 'Europe/Paris', allDay: false });
  });

  it('keeps the instant and drops the zone it cannot name', () => {
    const custom = mapGraphEvent(graphEvent({ originalStartTimeZone: 'Customized Time Zone', start: { dateTime: '2026-12-10T08:00:00.0000000', timeZone: 'UTC' } }));
    expect(custom.start).toEqual({ dateTime: '2026-12-10T08:00:00.000Z', allDay: false });
  });

  it('keeps all-day dates east and west of UTC, multi-day ends included, rendered in UTC or as they are', () => {
    const allDay = (zone: string, start: string, end: string) =>
      mapGraphEvent(graphEvent({ isAllDay: true, originalStartTimeZone: zone, originalEndTimeZone: zone, start: { dateTime: start, timeZone: 'UTC' }, end: { dateTime: end, timeZone: 'UTC' } }));
    // Tokyo's midnights rendered in UTC fall on the day before; Los Angeles' on the same day, 08:00.
    expect(allDay('Tokyo Standard Time', '2026-12-09T15:00:00.0000000', '2026-12-10T15:00:00.0000000')).toMatchObject({
      start: { dateTime: '2026-12-10T00:00:00.000Z', timeZone: 'Asia/Tokyo', allDay: true },
      end: { dateTime: '2026-12-11T00:00:00.000Z', timeZone: 'Asia/Tokyo', allDay: true },
    });
    expect(allDay('Pacific Standard Time', '2026-12-14T08:00:00.0000000', '2026-12-17T08:00:00.0000000')).toMatchObject({
      start: { dateTime: '2026-12-14T00:00:00.000Z', allDay: true },
      end: { dateTime: '2026-12-17T00:00:00.000Z', allDay: true },
    });
    // Dates rendered as they are (midnight whatever the zone) are taken as they stand.
    expect(allDay('Pacific Standard Time', '2026-12-14T00:00:00.0000000', '2026-12-17T00:00:00.0000000').start!.dateTime).toBe('2026-12-14T00:00:00.000Z');
    // No zone known: the nearest midnight.
    expect(allDay('Customized Time Zone', '2026-12-09T15:00:00.0000000', '2026-12-10T15:00:00.0000000')).toMatchObject({
      start: { dateTime: '2026-12-10T00:00:00.000Z', allDay: true },
      end: { dateTime: '2026-12-11T00:00:00.000Z', allDay: true },
    });
  });
});

describe('Google event times', () => {
  it('keeps an all-day date as 00:00 UTC of that date, with the zone Google gives', () => {
    expect(mapTime({ date: '2026-12-10', timeZone: 'Asia/Tokyo' })).toEqual({ dateTime: '2026-12-10T00:00:00.000Z', allDay: true, timeZone: 'Asia/Tokyo' });
    expect(mapTime({ dateTime: '2026-12-10T09:00:00+01:00', timeZone: 'Europe/Paris' })).toEqual({ dateTime: '2026-12-10T08:00:00.000Z', timeZone: 'Europe/Paris' });
  });
});

describe('Graph bodies the CRM writes', () => {
  it('writes the wall time in the meeting’s zone, named as it is', () => {
    expect(graphEventBody({ start: { dateTime: '2026-12-10T08:00:00.000Z', timeZone: 'Europe/Paris' }, end: { dateTime: '2026-12-10T09:30:00Z', timeZone: 'Europe/Paris' } })).toEqual({
      start: { dateTime: '2026-12-10T09:00:00.000', timeZone: 'Europe/Paris' },
      isAllDay: false,
      end: { dateTime: '2026-12-10T10:30:00.000', timeZone: 'Europe/Paris' },
    });
  });

  it('writes UTC without a zone it can name, and all-day boundaries as midnights of their dates', () => {
    expect(graphEventBody({ start: { dateTime: '2026-12-10T08:00:00Z' } }).start).toEqual({ dateTime: '2026-12-10T08:00:00.000', timeZone: 'UTC' });
    expect(graphEventBody({ start: { dateTime: '2026-12-10T08:00:00Z', timeZone: 'Mars/Olympus' } }).start).toEqual({ dateTime: '2026-12-10T08:00:00.000', timeZone: 'UTC' });
    expect(graphEventBody({ start: { dateTime: '2026-12-24T00:00:00.000Z', timeZone: 'America/Los_Angeles', allDay: true }, end: { dateTime: '2026-12-26T00:00:00.000Z', timeZone: 'America/Los_Angeles', allDay: true } })).toEqual({
      start: { dateTime: '2026-12-24T00:00:00', timeZone: 'America/Los_Angeles' },
      isAllDay: true,
      end: { dateTime: '2026-12-26T00:00:00', timeZone: 'America/Los_Angeles' },
    });
  });
});
