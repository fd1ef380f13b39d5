/**
 * The Google emulator's series rules (recurrence.ts): an original start is an occurrence only at the
 * series' local time of day in its zone, across summer time both ways; COUNT, UNTIL, BYDAY (with
 * ordinals), BYMONTHDAY, BYMONTH and EXDATE/RDATE as RFC 5545 reads them; rules it does not expand
 * are taken on trust. Then through the API: an instance id at the right instant is an instance,
 * the UTC repetition of the first week is a 404.
 */
import type { EventDateTime, EventRecord } from '../../../devstack/emulators/google/event-model';
import { occursAt } from '../../../devstack/emulators/google/recurrence';
import { connectUser, startEmulator } from './support';
import type { GoogleEmulator } from '../../../devstack/emulators/google';

const series = (start: EventDateTime, ...recurrence: string[]) => ({ start, recurrence }) as EventRecord;
const at = (dateTime: string) => ({ dateTime });

describe('Google emulator series rules', () => {
  it('keeps the local time in the series’ zone across summer time, both ways and both zones', () => {
    const paris = series({ dateTime: '2030-03-25T08:00:00Z', timeZone: 'Europe/Paris' }, 'RRULE:FREQ=WEEKLY;COUNT=3');
    expect(occursAt(paris, at('2030-04-01T07:00:00Z'))).toBe(true); // 09:00 CEST
    expect(occursAt(paris, at('2030-04-01T08:00:00Z'))).toBe(false); // the week repeated in UTC
    expect(occursAt(paris, at('2030-04-15T07:00:00Z'))).toBe(false); // past COUNT
    const newYork = series({ dateTime: '2030-11-01T14:00:00Z', timeZone: 'America/New_York' }, 'RRULE:FREQ=DAILY;INTERVAL=7');
    expect(occursAt(newYork, at('2030-11-08T15:00:00Z'))).toBe(true); // 10:00 EST
    expect(occursAt(newYork, at('2030-11-08T14:00:00Z'))).toBe(false);
    const utc = series({ dateTime: '2030-03-25T08:00:00Z' }, 'RRULE:FREQ=WEEKLY');
    expect(occursAt(utc, at('2030-04-01T08:00:00Z'))).toBe(true); // no zone: UTC
  });

  it('reads UNTIL inclusive, BYDAY with ordinals, BYMONTHDAY and BYMONTH; skips dates a month lacks', () => {
    const weekdays = series({ dateTime: '2030-03-04T09:00:00Z', timeZone: 'UTC' }, 'RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20300313T090000Z');
    expect(['2030-03-06', '2030-03-11', '2030-03-13', '2030-03-05', '2030-03-18'].map((d) => occursAt(weekdays, at(`${d}T09:00:00Z`)))).toEqual([true, true, true, false, false]);
    const lastFriday = series({ dateTime: '2030-01-25T16:00:00Z', timeZone: 'Europe/Paris' }, 'RRULE:FREQ=MONTHLY;BYDAY=-1FR');
    expect(occursAt(lastFriday, at('2030-03-29T16:00:00Z'))).toBe(true); // 17:00 CET
    expect(occursAt(lastFriday, at('2030-04-26T15:00:00Z'))).toBe(true); // 17:00 CEST
    expect(occursAt(lastFriday, at('2030-04-19T15:00:00Z'))).toBe(false);
    const on31st = series({ dateTime: '2030-01-31T12:00:00Z', timeZone: 'UTC' }, 'RRULE:FREQ=MONTHLY;COUNT=3');
    expect(occursAt(on31st, at('2030-02-28T12:00:00Z'))).toBe(false);
    expect(occursAt(on31st, at('2030-03-31T12:00:00Z'))).toBe(true);
    expect(occursAt(on31st, at('2030-05-31T12:00:00Z'))).toBe(true); // third, April skipped
    const leapDay = series({ dateTime: '2028-02-29T10:00:00Z', timeZone: 'UTC' }, 'RRULE:FREQ=YEARLY');
    expect([occursAt(leapDay, at('2029-02-28T10:00:00Z')), occursAt(leapDay, at('2032-02-29T10:00:00Z'))]).toEqual([false, true]);
    const thanksgiving = series({ dateTime: '2030-11-28T17:00:00Z', timeZone: 'America/New_York' }, 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH');
    expect(occursAt(thanksgiving, at('2031-11-27T17:00:00Z'))).toBe(true);
    const firstOfQuarter = series({ dateTime: '2030-01-01T09:00:00Z', timeZone: 'UTC' }, 'RRULE:FREQ=MONTHLY;BYMONTHDAY=1;BYMONTH=1,4,7,10');
    expect([occursAt(firstOfQuarter, at('2030-04-01T09:00:00Z')), occursAt(firstOfQuarter, at('2030-05-01T09:00:00Z'))]).toEqual([true, false]);
  });

  it('applies EXDATE and RDATE, all-day series by date, and trusts rules it does not expand', () => {
    const weekly = series(
      { dateTime: '2030-03-25T08:00:00Z', timeZone: 'Europe/Paris' },
      'RRULE:FREQ=WEEKLY',
      'EXDATE;TZID=Europe/Paris:20300401T090000',
      'RDATE:20300403T070000Z',
    );
    expect([occursAt(weekly, at('2030-04-01T07:00:00Z')), occursAt(weekly, at('2030-04-03T07:00:00Z')), occursAt(weekly, at('2030-04-08T07:00:00Z'))]).toEqual([false, true, true]);
    const allDay = series({ date: '2030-03-04' }, 'RRULE:FREQ=WEEKLY;COUNT=2');
    expect([occursAt(allDay, { date: '2030-03-11' }), occursAt(allDay, { date: '2030-03-12' }), occursAt(allDay, { date: '2030-03-18' })]).toEqual([true, false, false]);
    expect(occursAt(series({ dateTime: '2030-03-04T09:00:00Z' }, 'RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1'), at('2030-03-25T09:00:00Z'))).toBeUndefined();
  });

  describe('through the API', () => {
    let emulator: GoogleEmulator;
    beforeAll(async () => {
      emulator = await startEmulator();
    });
    afterAll(() => emulator.stop());

    it('serves an instance at its zone’s local time and answers 404 for the UTC repetition', async () => {
      const user = await connectUser(emulator, 'series-zones@example.com');
      const master = emulator.control.userCreateEvent(user.email, {
        summary: 'Paris weekly',
        start: { dateTime: '2030-03-25T09:00:00', timeZone: 'Europe/Paris' },
        end: { dateTime: '2030-03-25T10:00:00', timeZone: 'Europe/Paris' },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
      });
      const masterId = master.id as string;
      const get = (eventId: string) => user.raw.events.get({ calendarId: 'primary', eventId }, user.auth()).then((r) => r.data, (e: { response: { status: number } }) => e.response.status);
      expect(await get(`${masterId}_20300401T070000Z`)).toMatchObject({
        recurringEventId: masterId,
        originalStartTime: { dateTime: '2030-04-01T07:00:00Z', timeZone: 'Europe/Paris' },
        end: { dateTime: '2030-04-01T08:00:00Z', timeZone: 'Europe/Paris' },
      });
      expect(await get(`${masterId}_20300401T080000Z`)).toBe(404);
      expect(() => emulator.control.userCancelInstance(user.email, masterId, '2030-04-01T08:00:00Z')).toThrow(/no occurrence/);
      emulator.control.userCancelInstance(user.email, masterId, '2030-04-01T07:00:00Z');
      expect(emulator.control.getEvent(user.email, `${masterId}_20300401T070000Z`)).toMatchObject({ status: 'cancelled' });
    });
  });
});
