/**
 * All-day meetings scheduled in the CRM (issue 13), through both emulators: one-day and three-day
 * meetings east (Asia/Tokyo) and west (America/Los_Angeles) of UTC become Google `date` events and
 * Graph `isAllDay` events from midnight to midnight in the meeting's zone, and keep their dates when
 * the event syncs back; a CRM edit keeps a meeting all-day, or turns it timed and back. The calendar
 * → CRM direction alone is test/e2e/time-zones.test.ts; the API's validation, test/api/meeting-times.
 */
import { E2E_PROVIDERS, inDays } from '../../devstack/emulators/calendar-actions';
import { wallTimeOf } from '../../lib/time-zones';
import { providerSuite } from '../support/provider-suite';
import { waitFor, type TestAccount } from '../support/sync-harness';

type GraphTime = { dateTime: string; timeZone: string };

describe.each(E2E_PROVIDERS)('all-day meetings from the CRM on %s', (provider) => {
  const suite = providerSuite(provider);

  /** The date `days` from today (UTC). */
  const dateIn = (days: number) => inDays(days, 0).slice(0, 10);
  const meeting = async (account: TestAccount, id: string) => (await suite.harness.http().get(`/v1/meetings/${id}`).set(account.auth)).body;
  const edit = (account: TestAccount, id: string, body: object) => suite.harness.http().patch(`/v1/meetings/${id}`).set(account.auth).send({ ...body, sendUpdate: true }).expect(200);

  /** Schedules the meeting and waits for its event; returns the meeting's and the event's ids. */
  async function schedule(account: TestAccount, body: object): Promise<{ id: string; eventId: string }> {
    const response = await suite.harness.http().post('/v1/meetings').set(account.auth).send(body);
    expect(response.status).toBe(202);
    const scheduled = await waitFor(async () => {
      const current = await meeting(account, response.body.id);
      return current.status === 'SCHEDULED' && current.calendarEvents.length === 1 ? current : undefined;
    }, `"${response.body.title}" scheduled`);
    return { id: scheduled.id, eventId: scheduled.calendarEvents[0].providerEventId };
  }

  /**
   * The event's days as the owner's calendar holds them: Google `date`s; Graph `isAllDay` and its
   * times as wall times in `zone` (the emulator shows them in UTC), a midnight written as its date.
   */
  function calendarDays(userEmail: string, eventId: string, zone: string) {
    if (provider === 'GOOGLE') {
      const { start, end } = suite.harness.google.control.getEvent(userEmail, eventId) as Record<'start' | 'end', Record<string, string>>;
      return { allDay: start.date !== undefined && start.dateTime === undefined, start: start.date ?? start.dateTime, end: end.date ?? end.dateTime, zone: start.timeZone };
    }
    const event = suite.harness.microsoft.control.findEvent(eventId) as { isAllDay: boolean; originalStartTimeZone: string; start: GraphTime; end: GraphTime };
    const local = (time: GraphTime) => {
      const wall = wallTimeOf(Date.parse(`${time.dateTime.slice(0, 23)}Z`), zone);
      return wall.endsWith('T00:00:00.000') ? wall.slice(0, 10) : wall;
    };
    return { allDay: event.isAllDay, start: local(event.start), end: local(event.end), zone: event.originalStartTimeZone };
  }

  it.each(['Asia/Tokyo', 'America/Los_Angeles'])('keeps the dates of one-day and three-day meetings in %s, to the calendar and back', async (zone) => {
    const { account, user, contactId } = await suite.harness.connectedUser(provider, 'allday');
    const meetings = [
      { title: `One day in ${zone}`, startAt: dateIn(10), endAt: dateIn(11) },
      { title: `Three days in ${zone}`, startAt: dateIn(12), endAt: dateIn(15) },
    ];
    for (const { title, startAt, endAt } of meetings) {
      const { id, eventId } = await schedule(account, { ownerUserId: user.id, title, allDay: true, startAt, endAt, timeZone: zone, guestContactIds: [contactId] });
      expect(calendarDays(user.email, eventId, zone)).toEqual({ allDay: true, start: startAt, end: endAt, zone });

      // A change in the calendar brings the whole event back through the sync, its dates included.
      await suite.calendar.updateEvent(user.email, eventId, { title: `${title} (renamed)` });
      const synced = await waitFor(async () => {
        const current = await meeting(account, id);
        return current.title === `${title} (renamed)` ? current : undefined;
      }, `"${title}" renamed in the CRM`);
      expect(synced).toMatchObject({ allDay: true, timeZone: zone, startAt: `${startAt}T00:00:00.000Z`, endAt: `${endAt}T00:00:00.000Z`, source: 'CRM' });
    }
    const timeline = await suite.harness.timeline(account, contactId);
    expect(timeline.map((m) => [m.title, m.startAt, m.endAt]).sort()).toEqual(
      meetings.map((m) => [`${m.title} (renamed)`, `${m.startAt}T00:00:00.000Z`, `${m.endAt}T00:00:00.000Z`]).sort(),
    );
  });

  it('keeps an all-day meeting all-day through a CRM edit, and turns it timed and back', async () => {
    const zone = 'Asia/Tokyo';
    const { account, user, contactId } = await suite.harness.connectedUser(provider, 'alldayedit');
    const { id, eventId } = await schedule(account, { ownerUserId: user.id, title: 'Retreat', allDay: true, startAt: dateIn(20), endAt: dateIn(23), timeZone: zone, guestContactIds: [contactId] });
    const titleOf = async () => (await suite.calendar.events(user.email)).find((e) => e.id === eventId)?.title;

    await edit(account, id, { title: 'Retreat (agenda)' });
    await waitFor(async () => (await titleOf()) === 'Retreat (agenda)', 'the new title in the calendar');
    expect(calendarDays(user.email, eventId, zone)).toEqual({ allDay: true, start: dateIn(20), end: dateIn(23), zone });

    // 10:00 to 11:00 in Tokyo.
    await edit(account, id, { allDay: false, startAt: inDays(24, 1), endAt: inDays(24, 2) });
    await waitFor(async () => !calendarDays(user.email, eventId, zone).allDay, 'the event timed');
    expect((await suite.calendar.events(user.email)).find((e) => e.id === eventId)).toMatchObject({ start: inDays(24, 1), end: inDays(24, 2) });

    await edit(account, id, { allDay: true, startAt: dateIn(25), endAt: dateIn(26) });
    await waitFor(async () => calendarDays(user.email, eventId, zone).allDay, 'the event all-day again');
    expect(calendarDays(user.email, eventId, zone)).toEqual({ allDay: true, start: dateIn(25), end: dateIn(26), zone });
    expect(await meeting(account, id)).toMatchObject({ allDay: true, timeZone: zone, startAt: `${dateIn(25)}T00:00:00.000Z`, endAt: `${dateIn(26)}T00:00:00.000Z` });
  });

  it('refuses all-day times that are not whole days, as the provider does', async () => {
    const { user } = await suite.harness.connectedUser(provider, 'alldaycheck');
    if (provider === 'GOOGLE') {
      const control = suite.harness.google.control;
      expect(() => control.userCreateEvent(user.email, { summary: 'No such day', start: { date: '2031-02-30' }, end: { date: '2031-03-02' } })).toThrow(/start\.date/);
      expect(() => control.userCreateEvent(user.email, { summary: 'Mixed', start: { date: '2031-03-02' }, end: { dateTime: '2031-03-03T10:00:00Z' } })).toThrow(/both be date/);
      return;
    }
    // Graph: "start and end time must be set to midnight and be in the same time zone".
    const control = suite.harness.microsoft.control;
    const allDay = (start: string, end: string, endZone = 'Tokyo Standard Time') => ({
      subject: 'Off', isAllDay: true, start: { dateTime: start, timeZone: 'Tokyo Standard Time' }, end: { dateTime: end, timeZone: endZone },
    });
    expect(() => control.userCreateEvent(user.email, allDay('2031-03-02T09:00:00', '2031-03-03T00:00:00'))).toThrow(/midnight/);
    expect(() => control.userCreateEvent(user.email, allDay('2031-03-02T00:00:00', '2031-03-03T00:00:00', 'Pacific Standard Time'))).toThrow(/midnight/);
    const created = control.userCreateEvent(user.email, allDay('2031-03-02T00:00:00', '2031-03-03T00:00:00'));
    expect(() => control.userUpdateEvent(user.email, created.id as string, { start: { dateTime: '2031-03-02T12:00:00', timeZone: 'Tokyo Standard Time' } })).toThrow(/midnight/);
    // A refused change leaves the event as it was.
    expect(control.findEvent(created.id as string)).toMatchObject({ isAllDay: true, start: created.start, end: created.end });
  });
});
