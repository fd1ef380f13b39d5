/**
 * Every calendar → CRM rule of SPEC §4 end to end, through the emulators, the workflow and the API.
 * Rules alternate between the providers; the pure rules have their own unit tests per edge.
 */
import type { ProviderName } from '../../model/calendar-event';
import { calendarActions, E2E_PROVIDERS, inDays, type CalendarActions } from '../../devstack/emulators/calendar-actions';
import { SyncHarness, waitFor, type TestAccount } from '../support/sync-harness';

/** Rules marked for the second provider run on it when its emulator is there. */
const ALT = E2E_PROVIDERS[E2E_PROVIDERS.length - 1]!;

describe('calendar → CRM rules end to end (SPEC §4)', () => {
  let harness: SyncHarness;
  const calendars = {} as Record<ProviderName, CalendarActions>;
  beforeAll(async () => {
    harness = await SyncHarness.start({ SYNC_POLL_INTERVAL: '1h' });
    calendars.GOOGLE = calendarActions(harness, 'GOOGLE');
    calendars[ALT] = calendarActions(harness, ALT);
  });
  afterAll(() => harness.close());

  /** A connected user with one contact; `before` runs in the calendar before connecting. */
  async function setUp(provider: ProviderName, before?: (userEmail: string, contactEmail: string) => Promise<unknown>) {
    return { ...(await harness.connectedUser(provider, 'user', before)), calendar: calendars[provider] };
  }

  const timeline = (account: TestAccount, contactId: string) => harness.timeline(account, contactId);
  const titled = async (account: TestAccount, contactId: string, title: string) => (await timeline(account, contactId)).filter((m) => m.title === title);
  const waitForTitle = (account: TestAccount, contactId: string, title: string) =>
    waitFor(async () => {
      const found = await titled(account, contactId, title);
      return found.length ? found : undefined;
    }, `"${title}" on the timeline`);

  /**
   * Absence needs a witness: a marker event made after the change under test arrives by the same
   * ordered sync, so once it shows, the change before it has been judged.
   */
  async function settle(calendar: CalendarActions, account: TestAccount, userEmail: string, contactEmail: string, contactId: string) {
    const marker = `marker ${Math.random().toString(36).slice(2)}`;
    await calendar.createEvent(userEmail, { title: marker, start: inDays(300, 9), end: inDays(300, 10), guests: [contactEmail] });
    await waitForTitle(account, contactId, marker);
  }

  it(`4.1 an invitation from a contact lands on that contact’s timeline (${ALT})`, async () => {
    const { account, user, contactEmail, contactId, calendar } = await setUp(ALT);
    await calendar.invite(user.email, contactEmail, { title: 'Their invitation', start: inDays(2, 9), end: inDays(2, 10) });
    const [meeting] = await waitForTitle(account, contactId, 'Their invitation');
    expect(meeting.attendees).toEqual(expect.arrayContaining([expect.objectContaining({ email: contactEmail, organizer: true, contactId })]));
  });

  it('4.2 unknown guests never become contacts (Google)', async () => {
    const { account, user, contactEmail, contactId, calendar } = await setUp('GOOGLE');
    const before = await harness.db.contact.count({ where: { accountId: account.accountId } });
    await calendar.createEvent(user.email, { title: 'Mixed guests', start: inDays(2, 9), end: inDays(2, 10), guests: [contactEmail, 'stranger@elsewhere.example'] });
    const [meeting] = await waitForTitle(account, contactId, 'Mixed guests');
    expect(meeting.attendees.map((a: { email: string }) => a.email)).not.toContain('stranger@elsewhere.example');
    expect(await harness.db.contact.count({ where: { accountId: account.accountId } })).toBe(before);
  });

  it(`4.3 events already in the calendar at connect time are never synced, even when they change (${ALT})`, async () => {
    const { account, user, contactEmail, contactId, calendar, earlier } = await setUp(ALT, (userEmail, contactEmail) =>
      calendars[ALT].createEvent(userEmail, { title: 'Old meeting', start: inDays(3, 9), end: inDays(3, 10), guests: [contactEmail] }),
    );
    await calendar.updateEvent(user.email, earlier as string, { title: 'Old meeting, edited' });
    await calendar.invite(user.email, contactEmail, { title: 'New invitation', start: inDays(3, 11), end: inDays(3, 12) });
    await waitForTitle(account, contactId, 'New invitation');
    await settle(calendar, account, user.email, contactEmail, contactId);
    const titles = (await timeline(account, contactId)).map((m) => m.title);
    expect(titles).not.toContain('Old meeting');
    expect(titles).not.toContain('Old meeting, edited');
  });

  it('4.4 internal people are never matched and internal-only events are not synced (Google)', async () => {
    const { account, user, contactEmail, contactId, calendar } = await setUp('GOOGLE');
    const colleague = await harness.newUser(account, `colleague-${Date.now()}@portal.example`);
    // Internal people who are also (wrongly) contacts of the account: still never matched.
    const internalContact = await harness.newContact(account, `someone-${Date.now()}@portal.example`);
    const vendorContact = await harness.newContact(account, `support-${Date.now()}@crm-calendar-sync.com`);
    const internalEmails = (await harness.db.contact.findMany({ where: { id: { in: [internalContact, vendorContact] } } })).map((c) => c.email);
    await calendar.createEvent(user.email, { title: 'Internal only', start: inDays(4, 9), end: inDays(4, 10), guests: [colleague.email, ...internalEmails] });
    await calendar.createEvent(user.email, { title: 'With a client', start: inDays(4, 11), end: inDays(4, 12), guests: [colleague.email, ...internalEmails, contactEmail] });
    const [meeting] = await waitForTitle(account, contactId, 'With a client');
    expect(meeting.attendees.map((a: { email: string }) => a.email)).toEqual([contactEmail]);
    await settle(calendar, account, user.email, contactEmail, contactId);
    expect(await harness.db.meeting.count({ where: { accountId: account.accountId, title: 'Internal only' } })).toBe(0);
  });

  it('4.5 rooms and other resources are not guests (Google)', async () => {
    const { account, user, contactEmail, contactId, calendar } = await setUp('GOOGLE');
    const room = `room-${Date.now()}@resource.calendar.google.com`;
    await harness.newContact(account, room); // even a room someone saved as a contact
    await calendar.createEvent(user.email, { title: 'In the big room', start: inDays(5, 9), end: inDays(5, 10), guests: [contactEmail], resources: [room] });
    const [meeting] = await waitForTitle(account, contactId, 'In the big room');
    expect(meeting.attendees.map((a: { email: string }) => a.email)).toEqual([contactEmail]);
  });

  it.each(E2E_PROVIDERS)('4.6 a series is logged once; a cancelled occurrence is logged on its own, as cancelled (%s)', async (provider) => {
    const { account, user, contactEmail, contactId, calendar } = await setUp(provider);
    const masterId = await calendar.createSeries(user.email, { title: 'Weekly sync', start: inDays(7, 9), end: inDays(7, 10), guests: [contactEmail], weeks: 4 });
    const [series] = await waitForTitle(account, contactId, 'Weekly sync');
    expect(series.startAt).toBe(inDays(7, 9));
    // Graph names a cancelled occurrence by its id alone; the service recalls which week it was.
    await calendar.cancelOccurrence(user.email, masterId, inDays(14, 9));
    const both = await waitFor(async () => {
      const found = await titled(account, contactId, 'Weekly sync');
      return found.length === 2 ? found : undefined;
    }, 'the cancelled occurrence as its own meeting');
    const occurrence = both.find((m) => m.id !== series.id)!;
    expect(occurrence).toMatchObject({ status: 'CANCELLED', startAt: inDays(14, 9), endAt: inDays(14, 10) });
    expect(both.find((m) => m.id === series.id)!.status).toBe('SCHEDULED');

    // Deleting the whole series cancels its meeting and logs no cancelled meeting per week.
    await calendar.deleteEvent(user.email, masterId);
    await waitFor(async () => (await titled(account, contactId, 'Weekly sync')).find((m) => m.id === series.id)?.status === 'CANCELLED', 'the series cancelled');
    await settle(calendar, account, user.email, contactEmail, contactId);
    expect(await titled(account, contactId, 'Weekly sync')).toHaveLength(2);
  });

  it.each(E2E_PROVIDERS)('4.6 a week cancelled while the cursor was invalid is logged by the full re-read (%s)', async (provider) => {
    const { account, user, contactEmail, contactId, calendar } = await setUp(provider);
    const masterId = await calendar.createSeries(user.email, { title: 'Weekly review', start: inDays(8, 9), end: inDays(8, 10), guests: [contactEmail], weeks: 4 });
    await waitForTitle(account, contactId, 'Weekly review');
    // Found by the chaos run: a full listing shows no removal, so the cancelled week must be missed by it.
    calendar.invalidateCursor(user.email);
    await calendar.cancelOccurrence(user.email, masterId, inDays(15, 9));
    const occurrence = await waitFor(async () => (await titled(account, contactId, 'Weekly review')).find((m) => m.startAt === inDays(15, 9)), 'the cancelled week as its own meeting');
    expect(occurrence).toMatchObject({ status: 'CANCELLED', endAt: inDays(15, 10) });
    await settle(calendar, account, user.email, contactEmail, contactId);
    expect(await titled(account, contactId, 'Weekly review')).toHaveLength(2);
  });

  // Google may list a deleted series without its exceptions: the emulator does either (seriesDeletion).
  const seriesDeletionShapes = [...E2E_PROVIDERS.map((p) => [p, 'withExceptions'] as const), ['GOOGLE', 'masterOnly'] as const];
  it.each(seriesDeletionShapes)('4.6/4.8 deleting a whole series cancels its meeting and the meetings of its moved weeks (%s, %s listed)', async (provider, seriesDeletion) => {
    if (provider === 'GOOGLE') harness.google.control.configure({ seriesDeletion });
    try {
      const { account, user, contactEmail, contactId, calendar } = await setUp(provider);
      const masterId = await calendar.createSeries(user.email, { title: 'Planning', start: inDays(7, 13), end: inDays(7, 14), guests: [contactEmail], weeks: 4 });
      const [series] = await waitForTitle(account, contactId, 'Planning');
      await calendar.moveOccurrence(user.email, masterId, inDays(14, 13), inDays(15, 16), inDays(15, 17));
      const moved = await waitFor(async () => (await titled(account, contactId, 'Planning')).find((m) => m.id !== series.id), 'the moved week as its own meeting');
      expect(moved).toMatchObject({ status: 'SCHEDULED', startAt: inDays(15, 16) });

      await calendar.deleteEvent(user.email, masterId);
      await waitFor(async () => {
        const meetings = await titled(account, contactId, 'Planning');
        return meetings.length === 2 && meetings.every((m) => m.status === 'CANCELLED');
      }, 'the series and its moved week cancelled');
    } finally {
      harness.google.control.configure({ seriesDeletion: 'withExceptions' });
    }
  });

  it.each(E2E_PROVIDERS)('4.6 a rescheduled series moves its meeting and cancels no week (%s)', async (provider) => {
    const { account, user, contactEmail, contactId, calendar } = await setUp(provider);
    const masterId = await calendar.createSeries(user.email, { title: 'Standup', start: inDays(7, 9), end: inDays(7, 10), guests: [contactEmail], weeks: 4 });
    const [series] = await waitForTitle(account, contactId, 'Standup');
    await calendar.updateEvent(user.email, masterId, { start: inDays(8, 11), end: inDays(8, 12) });
    await waitFor(async () => (await titled(account, contactId, 'Standup')).some((m) => m.id === series.id && m.startAt === inDays(8, 11)), 'the series meeting moved');
    await settle(calendar, account, user.email, contactEmail, contactId);
    expect((await titled(account, contactId, 'Standup')).map((m) => [m.status, m.startAt])).toEqual([['SCHEDULED', inDays(8, 11)]]);
  });

  // Graph is reported to list a series with its master or as occurrences alone (#2182), and to give
  // the master a new modified time for a cancelled occurrence or not (#5520): the emulator does each.
  const graphSeriesShapes = (['listed', 'omitted'] as const).flatMap((seriesMasters) => [false, true].map((cancellationModifiesMaster) => [seriesMasters, cancellationModifiesMaster] as const));
  it.each(graphSeriesShapes)('4.6 on Microsoft with the master %s and cancellations modifying it: %s — one cancelled week is logged, a rescheduled series cancels none', async (seriesMasters, cancellationModifiesMaster) => {
    harness.microsoft.control.configure({ seriesMasters, cancellationModifiesMaster });
    try {
      const { account, user, contactEmail, contactId, calendar } = await setUp('MICROSOFT');
      const title = `Weekly ${seriesMasters} ${cancellationModifiesMaster}`;
      const masterId = await calendar.createSeries(user.email, { title, start: inDays(7, 9), end: inDays(7, 10), guests: [contactEmail], weeks: 4 });
      const [series] = await waitForTitle(account, contactId, title);
      expect(series).toMatchObject({ status: 'SCHEDULED', startAt: inDays(7, 9) });

      await calendar.cancelOccurrence(user.email, masterId, inDays(14, 9));
      const week = await waitFor(async () => (await titled(account, contactId, title)).find((m) => m.id !== series.id), 'the cancelled week as its own meeting');
      expect(week).toMatchObject({ status: 'CANCELLED', startAt: inDays(14, 9), endAt: inDays(14, 10) });

      // Rescheduling drops every old occurrence id; none of those weeks was cancelled.
      await calendar.updateEvent(user.email, masterId, { start: inDays(8, 11), end: inDays(8, 12) });
      await waitFor(async () => (await titled(account, contactId, title)).some((m) => m.id === series.id && m.startAt === inDays(8, 11)), 'the series meeting moved');
      await settle(calendar, account, user.email, contactEmail, contactId);
      const meetings = (await titled(account, contactId, title)).map((m) => [m.status, m.startAt]);
      expect(meetings.sort()).toEqual([['CANCELLED', inDays(14, 9)], ['SCHEDULED', inDays(8, 11)]]);
    } finally {
      harness.microsoft.control.configure({ seriesMasters: 'listed', cancellationModifiesMaster: false });
    }
  });

  it(`4.7 private events are not synced; one made private keeps its meeting but stops changing (${ALT})`, async () => {
    const { account, user, contactEmail, contactId, calendar } = await setUp(ALT);
    await calendar.createEvent(user.email, { title: 'Secret from the start', start: inDays(8, 9), end: inDays(8, 10), guests: [contactEmail], private: true });
    const id = await calendar.createEvent(user.email, { title: 'Public at first', start: inDays(8, 11), end: inDays(8, 12), guests: [contactEmail] });
    const [meeting] = await waitForTitle(account, contactId, 'Public at first');

    await calendar.updateEvent(user.email, id, { private: true });
    await calendar.updateEvent(user.email, id, { title: 'Renamed while private' });
    await settle(calendar, account, user.email, contactEmail, contactId);
    const kept = await harness.http().get(`/v1/meetings/${meeting.id}`).set(account.auth);
    expect(kept.body.title).toBe('Public at first');
    expect((await timeline(account, contactId)).map((m) => m.title)).not.toContain('Secret from the start');

    await calendar.updateEvent(user.email, id, { private: false, title: 'Public again' });
    await waitFor(async () => (await harness.http().get(`/v1/meetings/${meeting.id}`).set(account.auth)).body.title === 'Public again', 'changes applied again once public');
  });

  it('4.8 edits and deletions in the calendar update the meeting; a deleted event cancels it (Google)', async () => {
    const { account, user, contactEmail, contactId, calendar } = await setUp('GOOGLE');
    const id = await calendar.createEvent(user.email, { title: 'Draft title', start: inDays(9, 9), end: inDays(9, 10), guests: [contactEmail] });
    const [meeting] = await waitForTitle(account, contactId, 'Draft title');
    await calendar.updateEvent(user.email, id, { title: 'Final title', start: inDays(9, 13), end: inDays(9, 14), location: 'HQ', description: 'Agenda' });
    await waitFor(async () => {
      const current = (await harness.http().get(`/v1/meetings/${meeting.id}`).set(account.auth)).body;
      return current.title === 'Final title' && current.startAt === inDays(9, 13) && current.location === 'HQ' && current.description === 'Agenda';
    }, 'the edit');
    await calendar.deleteEvent(user.email, id);
    await waitFor(async () => (await harness.http().get(`/v1/meetings/${meeting.id}`).set(account.auth)).body.status === 'CANCELLED', 'the cancellation');
  });

  it.each(E2E_PROVIDERS)('4.8 an event moved beyond the synced window is moved, not cancelled, and comes back (%s)', async (provider) => {
    const { account, user, contactEmail, contactId, calendar } = await setUp(provider);
    const id = await calendar.createEvent(user.email, { title: 'Far out', start: inDays(9, 9), end: inDays(9, 10), guests: [contactEmail] });
    const [meeting] = await waitForTitle(account, contactId, 'Far out');
    const current = async () => (await harness.http().get(`/v1/meetings/${meeting.id}`).set(account.auth)).body;
    // Beyond the 365-day window Graph lists the event as removed; the calendar still holds it.
    await calendar.updateEvent(user.email, id, { start: inDays(400, 9), end: inDays(400, 10) });
    await waitFor(async () => (await current()).startAt === inDays(400, 9), 'the meeting moved with its event');
    expect((await current()).status).toBe('SCHEDULED');
    await calendar.updateEvent(user.email, id, { start: inDays(15, 9), end: inDays(15, 10) });
    await waitFor(async () => (await current()).startAt === inDays(15, 9), 'the meeting back in the window');
    expect(await current()).toMatchObject({ status: 'SCHEDULED', calendarEvents: [expect.anything()] });
  });

  it(`4.9 out-of-office events become out-of-office periods, not meetings (${ALT})`, async () => {
    const { account, user, calendar } = await setUp(ALT);
    const id = await calendar.createEvent(user.email, { title: 'Vacation', start: inDays(20, 0), end: inDays(25, 0), outOfOffice: true });
    const periods = () => harness.http().get(`/v1/users/${user.id}/out-of-office`).set(account.auth);
    await waitFor(async () => (await periods()).body.items.some((p: { title: string }) => p.title === 'Vacation'), 'the period');
    await calendar.updateEvent(user.email, id, { start: inDays(21, 0), end: inDays(26, 0) });
    await waitFor(async () => (await periods()).body.items.some((p: { startAt: string }) => p.startAt === inDays(21, 0)), 'the moved period');
    await calendar.deleteEvent(user.email, id);
    await waitFor(async () => (await periods()).body.items.length === 0, 'the removed period');
    expect(await harness.db.meeting.count({ where: { accountId: account.accountId, title: 'Vacation' } })).toBe(0);
  });

  it.each(E2E_PROVIDERS)('4.10 one meeting when two users hold the same event; one removal keeps the other link (%s)', async (provider) => {
    const { account, user, contactEmail, contactId, calendar } = await setUp(provider);
    const colleague = await harness.newUser(account, `second-${provider.toLowerCase()}-${Date.now()}@portal.example`);
    await harness.connect(account, colleague, provider);
    const id = await calendar.createEvent(user.email, { title: 'Joint pitch', start: inDays(10, 9), end: inDays(10, 10), guests: [contactEmail, colleague.email] });
    const [meeting] = await waitFor(async () => {
      const found = await titled(account, contactId, 'Joint pitch');
      return found.length === 1 && found[0].calendarEvents.length === 2 ? found : undefined;
    }, 'one meeting linked to both calendars');
    expect(await titled(account, contactId, 'Joint pitch')).toHaveLength(1);

    await calendar.deleteCopy(colleague.email, id);
    await waitFor(async () => (await harness.http().get(`/v1/meetings/${meeting.id}`).set(account.auth)).body.calendarEvents.length === 1, 'the colleague’s link removed');
    const after = (await harness.http().get(`/v1/meetings/${meeting.id}`).set(account.auth)).body;
    expect(after.status).toBe('SCHEDULED');
  });

  it('4.11 guests are re-matched on every change and their answers kept (Google)', async () => {
    const { account, user, contactEmail, contactId, calendar } = await setUp('GOOGLE');
    const secondEmail = `second-${Date.now()}@customer.example`;
    const secondId = await harness.newContact(account, secondEmail);
    const id = await calendar.createEvent(user.email, { title: 'Growing meeting', start: inDays(11, 9), end: inDays(11, 10), guests: [contactEmail] });
    await waitForTitle(account, contactId, 'Growing meeting');
    await calendar.updateEvent(user.email, id, { guests: [contactEmail, secondEmail] });
    await calendar.setResponse(user.email, id, secondEmail, 'declined');
    await waitFor(async () => {
      const [m] = await titled(account, secondId, 'Growing meeting');
      return m?.attendees.find((a: { email: string }) => a.email === secondEmail)?.response === 'DECLINED';
    }, 'the added contact with its answer');
    await calendar.updateEvent(user.email, id, { guests: [secondEmail] });
    await waitFor(async () => (await titled(account, contactId, 'Growing meeting')).length === 0, 'the removed guest unlinked');
    expect((await titled(account, secondId, 'Growing meeting'))[0].attendees[0].response).toBe('DECLINED');
  });

  it(`4.12 replayed changes (duplicate notifications, repeated full resyncs) leave the same state (${ALT})`, async () => {
    const { account, user, contactEmail, contactId, calendar } = await setUp(ALT);
    calendar.duplicateNotifications(true);
    try {
      const id = await calendar.createEvent(user.email, { title: 'Replayed', start: inDays(12, 9), end: inDays(12, 10), guests: [contactEmail] });
      await waitForTitle(account, contactId, 'Replayed');
      await calendar.updateEvent(user.email, id, { title: 'Replayed twice' });
      await waitForTitle(account, contactId, 'Replayed twice');
    } finally {
      calendar.duplicateNotifications(false);
    }
    const snapshot = async () => (await timeline(account, contactId)).map(({ updatedAt: _ignored, ...meeting }) => meeting);
    const before = await snapshot();
    for (let i = 0; i < 2; i++) {
      const requestedAt = Date.now();
      const resync = await harness.http().post(`/v1/users/${user.id}/calendar-connection/resync`).set(account.auth);
      expect(resync.status).toBe(202);
      await harness.waitForConnection(account, user, (c) => Date.parse(c.lastSyncAt) >= requestedAt, 'the resync to finish');
    }
    await settle(calendar, account, user.email, contactEmail, contactId);
    const after = (await snapshot()).filter((m) => !m.title.startsWith('marker'));
    expect(after).toEqual(before.filter((m) => !m.title.startsWith('marker')));
  });
});
