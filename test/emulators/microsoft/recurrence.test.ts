/**
 * The Microsoft emulator's series expansion (recurrence.ts): occurrences keep their local wall time
 * in the series' zone across summer time in both directions, Windows and IANA names alike; monthly
 * and yearly patterns, absolute and relative; numbered and endDate ranges; Graph's 400 for what
 * cannot be expanded. Then through Graph: the zone echoed on the series, occurrences listed by
 * delta at their moving UTC instants, and an occurrence addressed by its real original start only.
 */
import { wallTimeOf } from '../../../lib/time-zones';
import { expandRecurrence, parseRecurrence, type Recurrence } from '../../../devstack/emulators/microsoft/recurrence';
import { readAll, useMailbox } from './support';

type Pattern = Omit<Partial<Recurrence['pattern']>, 'type'> & { type: string };
type Range = Omit<Partial<Recurrence['range']>, 'type'> & { type: string };

/** The occurrences of a series starting at the instant `start`, in the zone `zone`, as UTC ISO strings. */
function occurrences(start: string, zone: string, pattern: Pattern, range: Range): string[] {
  const recurrence = parseRecurrence({ pattern: { interval: 1, ...pattern }, range }, zone)!;
  return expandRecurrence(Date.parse(start), recurrence).map((ms) => new Date(ms).toISOString());
}
const wallTimes = (instants: string[], zone: string) => instants.map((at) => wallTimeOf(Date.parse(at), zone).slice(0, 16));
const numbered = (numberOfOccurrences: number): Range => ({ type: 'numbered', numberOfOccurrences });

describe('Microsoft emulator recurrence expansion', () => {
  describe('keeps the local wall time across a change of summer time', () => {
    it('Europe/Paris, spring forward (Windows name): 09:00 stays 09:00, an hour earlier in UTC', () => {
      const starts = occurrences('2030-03-25T08:00:00.000Z', 'Romance Standard Time', { type: 'weekly', daysOfWeek: ['monday'] }, numbered(3));
      expect(starts).toEqual(['2030-03-25T08:00:00.000Z', '2030-04-01T07:00:00.000Z', '2030-04-08T07:00:00.000Z']);
      expect(wallTimes(starts, 'Europe/Paris')).toEqual(['2030-03-25T09:00', '2030-04-01T09:00', '2030-04-08T09:00']);
    });

    it('Europe/Paris, fall back (IANA name): an hour later in UTC', () => {
      const starts = occurrences('2030-10-25T07:00:00.000Z', 'Europe/Paris', { type: 'weekly', daysOfWeek: ['friday'] }, numbered(2));
      expect(starts).toEqual(['2030-10-25T07:00:00.000Z', '2030-11-01T08:00:00.000Z']);
    });

    it('America/New_York, spring forward and fall back', () => {
      const spring = occurrences('2030-03-07T15:00:00.000Z', 'Eastern Standard Time', { type: 'weekly', daysOfWeek: ['thursday'] }, numbered(2));
      expect(spring).toEqual(['2030-03-07T15:00:00.000Z', '2030-03-14T14:00:00.000Z']);
      const fall = occurrences('2030-11-01T14:00:00.000Z', 'America/New_York', { type: 'daily', interval: 7 }, numbered(2));
      expect(fall).toEqual(['2030-11-01T14:00:00.000Z', '2030-11-08T15:00:00.000Z']);
      expect(wallTimes([...spring, ...fall], 'America/New_York').map((t) => t.slice(11))).toEqual(['10:00', '10:00', '10:00', '10:00']);
    });

    it('counts weekdays on local days, not UTC ones', () => {
      // 00:30 in Tokyo is the previous day in UTC: Monday there, Sunday in UTC.
      const starts = occurrences('2030-03-03T15:30:00.000Z', 'Asia/Tokyo', { type: 'weekly', daysOfWeek: ['monday', 'wednesday'] }, numbered(3));
      expect(wallTimes(starts, 'Asia/Tokyo')).toEqual(['2030-03-04T00:30', '2030-03-06T00:30', '2030-03-11T00:30']);
    });

    it('repeats in recurrenceTimeZone when the series names one; state saved without a zone repeats in UTC', () => {
      const recurrence = parseRecurrence({ pattern: { type: 'weekly', interval: 1 }, range: { ...numbered(2), recurrenceTimeZone: 'Europe/Paris' } }, 'UTC')!;
      expect(recurrence.range.recurrenceTimeZone).toBe('Europe/Paris');
      expect(expandRecurrence(Date.parse('2030-03-25T08:00:00Z'), recurrence).map((ms) => new Date(ms).toISOString())).toEqual(['2030-03-25T08:00:00.000Z', '2030-04-01T07:00:00.000Z']);
      const saved: Recurrence = { pattern: { type: 'weekly', interval: 1 }, range: { type: 'numbered', numberOfOccurrences: 2 } };
      expect(expandRecurrence(Date.parse('2030-03-25T08:00:00Z'), saved).map((ms) => new Date(ms).toISOString())).toEqual(['2030-03-25T08:00:00.000Z', '2030-04-01T08:00:00.000Z']);
    });
  });

  describe('monthly and yearly patterns', () => {
    it('a monthly series on the 31st falls on the last day of shorter months (Exchange’s DayOfMonth rule)', () => {
      const starts = occurrences('2030-01-31T12:00:00.000Z', 'UTC', { type: 'absoluteMonthly', dayOfMonth: 31 }, numbered(5));
      expect(starts.map((at) => at.slice(0, 10))).toEqual(['2030-01-31', '2030-02-28', '2030-03-31', '2030-04-30', '2030-05-31']);
      const quarterly = occurrences('2030-01-15T09:00:00.000Z', 'UTC', { type: 'absoluteMonthly', interval: 3, dayOfMonth: 15 }, numbered(3));
      expect(quarterly.map((at) => at.slice(0, 10))).toEqual(['2030-01-15', '2030-04-15', '2030-07-15']);
    });

    it('a yearly series on February 29 falls on February 28 in other years', () => {
      const starts = occurrences('2028-02-29T10:00:00.000Z', 'UTC', { type: 'absoluteYearly', month: 2, dayOfMonth: 29 }, numbered(5));
      expect(starts.map((at) => at.slice(0, 10))).toEqual(['2028-02-29', '2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29']);
    });

    it('relativeMonthly: the last Friday, the second Tuesday, the first weekend day', () => {
      const lastFriday = occurrences('2030-01-25T16:00:00.000Z', 'Europe/Paris', { type: 'relativeMonthly', daysOfWeek: ['friday'], index: 'last' }, numbered(4));
      expect(wallTimes(lastFriday, 'Europe/Paris')).toEqual(['2030-01-25T17:00', '2030-02-22T17:00', '2030-03-29T17:00', '2030-04-26T17:00']);
      // Started mid-month: the first month's occurrence is the next one that is not before the start.
      const secondTuesday = occurrences('2030-01-20T09:00:00.000Z', 'UTC', { type: 'relativeMonthly', daysOfWeek: ['tuesday'], index: 'second' }, numbered(2));
      expect(secondTuesday.map((at) => at.slice(0, 10))).toEqual(['2030-02-12', '2030-03-12']);
      // Several days: the index counts every day that is one of them (March 2030 starts on a Friday).
      const weekend = occurrences('2030-03-02T09:00:00.000Z', 'UTC', { type: 'relativeMonthly', daysOfWeek: ['saturday', 'sunday'] }, numbered(2));
      expect(weekend.map((at) => at.slice(0, 10))).toEqual(['2030-03-02', '2030-04-06']);
    });

    it('relativeYearly: the fourth Thursday of November, the last Sunday of March', () => {
      const thanksgiving = occurrences('2030-11-28T17:00:00.000Z', 'America/New_York', { type: 'relativeYearly', daysOfWeek: ['thursday'], index: 'fourth', month: 11 }, numbered(3));
      expect(wallTimes(thanksgiving, 'America/New_York')).toEqual(['2030-11-28T12:00', '2031-11-27T12:00', '2032-11-25T12:00']);
      const summerTime = occurrences('2030-03-31T10:00:00.000Z', 'UTC', { type: 'relativeYearly', daysOfWeek: ['sunday'], index: 'last', month: 3, interval: 2 }, numbered(2));
      expect(summerTime.map((at) => at.slice(0, 10))).toEqual(['2030-03-31', '2032-03-28']);
    });
  });

  describe('ranges', () => {
    it('numbered counts occurrences from the start; endDate is an inclusive local date of the series’ zone', () => {
      expect(occurrences('2030-03-04T09:00:00.000Z', 'UTC', { type: 'daily', interval: 2 }, numbered(4))).toHaveLength(4);
      // 00:30 in Paris is 23:30 UTC the day before: the last day counts in Paris.
      const starts = occurrences('2030-01-09T23:30:00.000Z', 'Europe/Paris', { type: 'daily' }, { type: 'endDate', startDate: '2030-01-10', endDate: '2030-01-12' });
      expect(starts).toEqual(['2030-01-09T23:30:00.000Z', '2030-01-10T23:30:00.000Z', '2030-01-11T23:30:00.000Z']);
      expect(occurrences('2030-01-10T09:00:00.000Z', 'UTC', { type: 'daily' }, { type: 'noEnd' })).toHaveLength(1000);
    });
  });

  it('refuses with 400 what it cannot expand, saying what', () => {
    const refusal = (pattern: Pattern, range: Range = { type: 'noEnd' }) => {
      try {
        parseRecurrence({ pattern: { interval: 1, ...pattern }, range }, 'UTC');
      } catch (error) {
        return { status: (error as { status: number }).status, message: (error as Error).message };
      }
      return undefined;
    };
    expect(refusal({ type: 'hourly' })).toEqual({ status: 400, message: expect.stringContaining('hourly is not supported') });
    expect(refusal({ type: 'relativeMonthly' })).toEqual({ status: 400, message: expect.stringContaining('daysOfWeek is required') });
    expect(refusal({ type: 'relativeMonthly', daysOfWeek: ['friday'], index: 'fifth' as never })).toEqual({ status: 400, message: expect.stringContaining('index') });
    expect(refusal({ type: 'absoluteYearly', month: 13, dayOfMonth: 1 })).toEqual({ status: 400, message: expect.stringContaining('month') });
    expect(refusal({ type: 'daily' }, { type: 'endDate' })).toEqual({ status: 400, message: expect.stringContaining('endDate') });
    expect(refusal({ type: 'daily' }, { type: 'numbered', numberOfOccurrences: 0 })).toEqual({ status: 400, message: expect.stringContaining('numberOfOccurrences') });
    expect(refusal({ type: 'daily' }, { type: 'noEnd', recurrenceTimeZone: 'Mars/Olympus' })).toEqual({ status: 400, message: expect.stringContaining('Mars/Olympus') });
  });

  describe('through Graph', () => {
    const context = useMailbox('series-zones@contoso.example');
    const window = { start: '2030-03-01T00:00:00Z', end: '2030-05-01T00:00:00Z' };

    it('keeps the series’ zone, lists occurrences at their moving UTC instants, and names them by their real original start', async () => {
      const created = await context.mailbox.graph.api('/me/events').post({
        subject: 'Paris weekly',
        start: { dateTime: '2030-03-25T09:00:00', timeZone: 'Romance Standard Time' },
        end: { dateTime: '2030-03-25T10:00:00', timeZone: 'Romance Standard Time' },
        recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'], firstDayOfWeek: 'sunday' }, range: { type: 'numbered', startDate: '2030-03-25', numberOfOccurrences: 3 } },
      });
      expect(created.recurrence.range.recurrenceTimeZone).toBe('Romance Standard Time');
      const { events } = await readAll(context.mailbox.calendar, { window });
      const listed = events.filter((e) => e.seriesMasterId === created.id).map((e) => [e.originalStart, e.start!.dateTime, e.start!.timeZone]);
      expect(listed).toEqual([
        ['2030-03-25T08:00:00.000Z', '2030-03-25T08:00:00.000Z', 'Europe/Paris'],
        ['2030-04-01T07:00:00.000Z', '2030-04-01T07:00:00.000Z', 'Europe/Paris'],
        ['2030-04-08T07:00:00.000Z', '2030-04-08T07:00:00.000Z', 'Europe/Paris'],
      ]);
      const control = context.emulator.control;
      // The UTC repetition of the first week is no occurrence of this series.
      expect(() => control.userCancelOccurrence(context.mailbox.email, created.id, '2030-04-01T08:00:00Z')).toThrow(/no occurrence/);
      control.userCancelOccurrence(context.mailbox.email, created.id, '2030-04-01T07:00:00Z');
      const after = await readAll(context.mailbox.calendar, { window });
      expect(after.events.filter((e) => e.seriesMasterId === created.id).map((e) => e.originalStart)).toEqual(['2030-03-25T08:00:00.000Z', '2030-04-08T07:00:00.000Z']);
    });
  });
});
