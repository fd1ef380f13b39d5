/**
 * Conference links end to end through both emulators (issue 14, item 2): the Meet or Teams link of a
 * calendar event lands on its meeting and follows the event as the link is added, removed and made
 * anew; a meeting scheduled from the CRM with `"conference": true` gets one, and only one however
 * often the request and the create are retried.
 */
import { randomUUID } from 'node:crypto';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCalendarWriteActivities } from '../../activities/calendar-writes';
import { E2E_PROVIDERS, inDays } from '../../devstack/emulators/calendar-actions';
import { providerSuite } from '../support/provider-suite';
import { waitFor, type TestAccount } from '../support/sync-harness';

describe.each(E2E_PROVIDERS)('conference links on %s', (provider) => {
  const suite = providerSuite(provider);

  const conferenceProvider = provider === 'GOOGLE' ? 'GOOGLE_MEET' : 'TEAMS';
  const joinLink = provider === 'GOOGLE' ? /^https:\/\/meet\.google\.com\/[a-z-]+$/ : /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//;

  /** The event's join URL in the user's calendar (null when it has none). */
  const linkOf = async (userEmail: string, eventId: string) => (await suite.calendar.events(userEmail)).find((event) => event.id === eventId)!.conferenceUrl;
  /** Waits until the contact's meeting titled `title` shows `url` as its conference (null: none). */
  const meetingWithLink = (account: TestAccount, contactId: string, title: string, url: string | null) =>
    waitFor(async () => {
      const meeting = (await suite.harness.timeline(account, contactId)).find((m) => m.title === title);
      return meeting && (meeting.conference?.url ?? null) === url ? meeting : undefined;
    }, `"${title}" with conference ${url}`);

  it('keeps the join link of a calendar event on its meeting as it is added, removed and made anew', async () => {
    const { account, user, contactEmail, contactId } = await suite.harness.connectedUser(provider, 'host');
    // A contact's invitation that comes with their conference.
    const invitation = await suite.calendar.invite(user.email, contactEmail, { title: 'Their call', start: inDays(2, 9), end: inDays(2, 10), conference: true });
    const theirs = await linkOf(user.email, invitation);
    expect(theirs).toMatch(joinLink);
    expect((await meetingWithLink(account, contactId, 'Their call', theirs)).conference).toEqual({ url: theirs, provider: conferenceProvider });

    const id = await suite.calendar.createEvent(user.email, { title: 'Our call', start: inDays(3, 9), end: inDays(3, 10), guests: [contactEmail] });
    expect((await meetingWithLink(account, contactId, 'Our call', null)).conference).toBeNull();
    await suite.calendar.updateEvent(user.email, id, { conference: true });
    const first = await linkOf(user.email, id);
    expect(first).toMatch(joinLink);
    await meetingWithLink(account, contactId, 'Our call', first);
    await suite.calendar.updateEvent(user.email, id, { conference: false });
    await meetingWithLink(account, contactId, 'Our call', null);
    await suite.calendar.updateEvent(user.email, id, { conference: true });
    const second = await linkOf(user.email, id);
    expect(second).not.toBe(first);
    expect((await meetingWithLink(account, contactId, 'Our call', second)).conference).toEqual({ url: second, provider: conferenceProvider });
  });

  it('schedules a meeting with a conference from the CRM: one event and one conference under retries', async () => {
    const { account, user, contactId } = await suite.harness.connectedUser(provider, 'seller');
    const body = { ownerUserId: user.id, title: 'Demo call', startAt: inDays(4, 9), endAt: inDays(4, 10), guestContactIds: [contactId], conference: true };
    const key = randomUUID();
    suite.calendar.failNext('create', 1, 503); // the workflow's create is retried too
    const post = () => suite.harness.http().post('/v1/meetings').set(account.auth).set('Idempotency-Key', key).send(body);
    const [first, second] = [await post(), await post()];
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.id).toBe(first.body.id);
    expect(first.body).toMatchObject({ status: 'SCHEDULING', conferenceRequested: true, conference: null });

    const scheduled = await waitFor(async () => {
      const meeting = (await suite.harness.http().get(`/v1/meetings/${first.body.id}`).set(account.auth)).body;
      return meeting.status === 'SCHEDULED' ? meeting : undefined;
    }, 'the meeting SCHEDULED');
    const events = (await suite.calendar.events(user.email)).filter((event) => event.title === 'Demo call');
    expect(events).toHaveLength(1);
    expect(events[0]!.conferenceUrl).toMatch(joinLink);
    // Shown as soon as the create answered: the sync skips the CRM's own version of the event.
    expect(scheduled.conference).toEqual({ url: events[0]!.conferenceUrl, provider: conferenceProvider });

    // The create activity once more, as Temporal retries one whose answer was lost: the same event and conference.
    const writes = createCalendarWriteActivities(suite.harness.deps);
    await new MockActivityEnvironment({ attempt: 2 }, { logger: new DefaultLogger('ERROR') }).run(writes.createMeetingEvent, first.body.id);
    const after = (await suite.calendar.events(user.email)).filter((event) => event.title === 'Demo call');
    expect(after.map((event) => [event.id, event.conferenceUrl])).toEqual([[events[0]!.id, events[0]!.conferenceUrl]]);
    expect((await suite.harness.http().get(`/v1/meetings/${first.body.id}`).set(account.auth)).body.conference).toEqual(scheduled.conference);
    expect(await suite.harness.db.meeting.count({ where: { accountId: account.accountId, title: 'Demo call' } })).toBe(1);
  });
});
