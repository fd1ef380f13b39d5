/**
 * Recurring series across a change of summer time, end to end through both emulators (SPEC §4.6):
 * a weekly 09:00 series in Europe/Paris or America/New_York whose weeks straddle the zone's next
 * change is logged with its IANA zone at 09:00 local; the week after the change, cancelled, is
 * logged at 09:00 local as well (another hour in UTC than the first week), and a later week moved
 * to 11:00 keeps that local time too. Dates follow today, as the synced window does.
 */
import { E2E_PROVIDERS } from '../../devstack/emulators/calendar-actions';
import { instantOfWallTime, wallTimeOf, zoneOffsetMs } from '../../lib/time-zones';
import { providerSuite } from '../support/provider-suite';
import { waitFor, type TestAccount } from '../support/sync-harness';

const DAY_MS = 86_400_000;
const shiftDate = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * Three consecutive weekly slots at `time` local (an hour long), the zone's next change of summer
 * time (at least four days ahead) between the first and the second.
 */
function weeksAcrossChange(zone: string, time = '09:00'): { start: string; end: string }[] {
  const at = (date: string, wall: string) => new Date(instantOfWallTime(`${date}T${wall}:00`, zone)).toISOString();
  const offsetOn = (date: string) => zoneOffsetMs(zone, Date.parse(at(date, '12:00')));
  const today = new Date().toISOString().slice(0, 10);
  for (let day = 4; day < 400; day++) {
    const date = shiftDate(today, day);
    if (offsetOn(date) === offsetOn(shiftDate(date, -1))) continue;
    return [-3, 4, 11].map((days) => {
      const start = at(shiftDate(date, days), time);
      return { start, end: new Date(Date.parse(start) + 3600_000).toISOString() };
    });
  }
  throw new Error(`${zone} has no change of summer time within a year`);
}

const localTime = (instant: string, zone: string) => wallTimeOf(Date.parse(instant), zone).slice(11, 16);

describe.each(E2E_PROVIDERS)('recurring series across a change of summer time on %s', (provider) => {
  const suite = providerSuite(provider);

  const waitForMeeting = (account: TestAccount, contactId: string, what: string, match: (meeting: Record<string, any>) => boolean) =>
    waitFor(async () => (await suite.harness.timeline(account, contactId)).find(match), what);

  it.each(['Europe/Paris', 'America/New_York'])('keeps 09:00 %s for the series and for its weeks after the change', async (zone) => {
    const { account, user, contactEmail, contactId } = await suite.harness.connectedUser(provider, 'dst');
    const [first, second, third] = weeksAcrossChange(zone);
    const [, , thirdAtEleven] = weeksAcrossChange(zone, '11:00');
    // Same local time, another UTC hour: the change really falls between the first two weeks.
    expect(Date.parse(second!.start) - Date.parse(first!.start)).not.toBe(7 * DAY_MS);

    const title = `Weekly in ${zone}`;
    const masterId = await suite.calendar.createSeries(user.email, { title, start: first!.start, end: first!.end, timeZone: zone, guests: [contactEmail], weeks: 3 });
    const series = await waitForMeeting(account, contactId, 'the series logged', (m) => m.title === title);
    expect(series).toMatchObject({ status: 'SCHEDULED', timeZone: zone, allDay: false, startAt: first!.start, endAt: first!.end });

    await suite.calendar.cancelOccurrence(user.email, masterId, second!.start);
    await suite.calendar.moveOccurrence(user.email, masterId, third!.start, thirdAtEleven!.start, thirdAtEleven!.end);
    const cancelled = await waitForMeeting(account, contactId, 'the cancelled week logged', (m) => m.id !== series.id && m.startAt === second!.start);
    expect(cancelled).toMatchObject({ title, status: 'CANCELLED', timeZone: zone, endAt: second!.end });
    const moved = await waitForMeeting(account, contactId, 'the moved week logged', (m) => m.id !== series.id && m.startAt === thirdAtEleven!.start);
    expect(moved).toMatchObject({ title, status: 'SCHEDULED', timeZone: zone, endAt: thirdAtEleven!.end });
    expect([series, cancelled, moved].map((m) => localTime(m.startAt, zone))).toEqual(['09:00', '09:00', '11:00']);
    expect((await suite.harness.timeline(account, contactId)).filter((m) => m.title === title)).toHaveLength(3);
  });
});
