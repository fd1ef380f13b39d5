/**
 * Time zones end to end, through both emulators: an event scheduled in a zone becomes a meeting with
 * that IANA zone and the same instant (Outlook names the zone the Windows way); a CRM meeting
 * scheduled in a zone creates its calendar event in that zone; all-day events east and west of UTC,
 * one day or several, keep their dates.
 */
import { E2E_PROVIDERS, inDays } from '../../devstack/emulators/calendar-actions';
import { providerSuite } from '../support/provider-suite';
import { waitFor, type TestAccount } from '../support/sync-harness';

describe.each(E2E_PROVIDERS)('time zones on %s', (provider) => {
  const suite = providerSuite(provider);

  const waitForMeeting = (account: TestAccount, contactId: string, title: string) =>
    waitFor(async () => (await suite.harness.timeline(account, contactId)).find((m) => m.title === title), `"${title}" on the timeline`);
  /** The date `days` from today (UTC), as all-day events name it. */
  const dateIn = (days: number) => inDays(days, 0).slice(0, 10);

  it('turns an event scheduled in a zone into a meeting with that IANA zone and the same instant', async () => {
    const { account, user, contactEmail, contactId } = await suite.harness.connectedUser(provider, 'zoned');
    await suite.calendar.createEvent(user.email, { title: 'Paris review', start: inDays(4, 8), end: inDays(4, 9), timeZone: 'Europe/Paris', guests: [contactEmail] });
    const meeting = await waitForMeeting(account, contactId, 'Paris review');
    expect(meeting).toMatchObject({ timeZone: 'Europe/Paris', allDay: false, startAt: inDays(4, 8), endAt: inDays(4, 9) });
  });

  it('creates a CRM meeting’s event in the meeting’s zone', async () => {
    const { account, user, contactId } = await suite.harness.connectedUser(provider, 'scheduler');
    const scheduled = await suite.harness.http().post('/v1/meetings').set(account.auth).send({
      ownerUserId: user.id, title: 'Zoned kick-off', startAt: inDays(5, 8), endAt: inDays(5, 9), timeZone: 'Europe/Paris', guestContactIds: [contactId],
    });
    expect(scheduled.status).toBe(202);
    const meeting = await waitFor(async () => {
      const current = (await suite.harness.http().get(`/v1/meetings/${scheduled.body.id}`).set(account.auth)).body;
      return current.status === 'SCHEDULED' ? current : undefined;
    }, 'the meeting scheduled');
    const eventId: string = meeting.calendarEvents[0].providerEventId;
    if (provider === 'GOOGLE') {
      const { start } = suite.harness.google.control.getEvent(user.email, eventId)! as { start: { dateTime: string; timeZone?: string } };
      expect(start.timeZone).toBe('Europe/Paris');
      expect(Date.parse(start.dateTime)).toBe(Date.parse(inDays(5, 8)));
    } else {
      const event = suite.harness.microsoft.control.findEvent(eventId);
      expect(event).toMatchObject({ originalStartTimeZone: 'Europe/Paris', originalEndTimeZone: 'Europe/Paris', start: { dateTime: inDays(5, 8).replace('Z', '0000'), timeZone: 'UTC' } });
    }
    expect((await suite.calendar.events(user.email)).find((e) => e.id === eventId)).toMatchObject({ start: inDays(5, 8), end: inDays(5, 9) });
  });

  it('keeps the dates of all-day events east and west of UTC, a multi-day one’s end included', async () => {
    const { account, user, contactEmail, contactId } = await suite.harness.connectedUser(provider, 'allday');
    await suite.calendar.createEvent(user.email, { title: 'Tokyo offsite', start: dateIn(10), end: dateIn(11), allDay: true, timeZone: 'Asia/Tokyo', guests: [contactEmail] });
    await suite.calendar.createEvent(user.email, { title: 'LA conference', start: dateIn(12), end: dateIn(15), allDay: true, timeZone: 'America/Los_Angeles', guests: [contactEmail] });
    expect(await waitForMeeting(account, contactId, 'Tokyo offsite')).toMatchObject({
      allDay: true, timeZone: 'Asia/Tokyo', startAt: `${dateIn(10)}T00:00:00.000Z`, endAt: `${dateIn(11)}T00:00:00.000Z`,
    });
    expect(await waitForMeeting(account, contactId, 'LA conference')).toMatchObject({
      allDay: true, timeZone: 'America/Los_Angeles', startAt: `${dateIn(12)}T00:00:00.000Z`, endAt: `${dateIn(15)}T00:00:00.000Z`,
    });
  });
});
