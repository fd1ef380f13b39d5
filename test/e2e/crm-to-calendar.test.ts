/**
 * CRM → calendar (SPEC §5, issue 5) through both emulators: scheduling creates one event with
 * invitations however often requests and activities are retried, edits go out with updates, the sync
 * loop links the created event instead of logging it again, deleting in the CRM leaves the calendar
 * alone, failures are visible and retryable, and out-of-office flows both ways.
 */
import { randomUUID } from 'node:crypto';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCalendarWriteActivities } from '../../activities/calendar-writes';
import type { Database } from '../../db/client';
import { E2E_PROVIDERS, inDays } from '../../devstack/emulators/calendar-actions';
import { providerSuite } from '../support/provider-suite';
import { waitFor, type TestAccount } from '../support/sync-harness';

describe.each(E2E_PROVIDERS)('CRM → calendar on %s', (provider) => {
  const suite = providerSuite(provider);

  async function setUp() {
    const account = await suite.harness.newAccount(['portal.example']);
    const tag = `${provider.toLowerCase()}-${randomUUID().slice(0, 8)}`;
    const user = await suite.harness.newUser(account, `owner-${tag}@portal.example`);
    const contacts = [`ann-${tag}@customer.example`, `bob-${tag}@customer.example`, `cid-${tag}@customer.example`];
    const contactIds = await Promise.all(contacts.map((email) => suite.harness.newContact(account, email)));
    await suite.harness.connect(account, user, provider);
    return { account, user, contacts, contactIds };
  }

  const schedule = (account: TestAccount, body: object, key?: string) => {
    const call = suite.harness.http().post('/v1/meetings').set(account.auth);
    return (key ? call.set('Idempotency-Key', key) : call).send(body);
  };
  const meeting = async (account: TestAccount, id: string) => (await suite.harness.http().get(`/v1/meetings/${id}`).set(account.auth)).body;
  const waitForStatus = (account: TestAccount, id: string, status: string) =>
    waitFor(async () => {
      const current = await meeting(account, id);
      return current.status === status ? current : undefined;
    }, `meeting ${status}`);

  it('schedules a meeting from a record: one event, invitations sent, on every guest’s timeline, linked not relogged', async () => {
    const { account, user, contacts, contactIds } = await setUp();
    const deal = await suite.harness.http().post('/v1/deals').set(account.auth).send({ name: 'Big deal' });
    const response = await schedule(account, {
      ownerUserId: user.id,
      title: 'Kick-off',
      description: 'Agenda attached',
      location: 'Video call',
      startAt: inDays(5, 9),
      endAt: inDays(5, 10),
      timeZone: 'Europe/Paris',
      guestContactIds: contactIds.slice(0, 2),
      associations: { deals: [deal.body.id] },
    });
    expect(response.status).toBe(202);
    expect(response.body.status).toBe('SCHEDULING');
    const scheduled = await waitForStatus(account, response.body.id, 'SCHEDULED');
    expect(scheduled.associations).toEqual(expect.arrayContaining([{ type: 'DEAL', id: deal.body.id }, { type: 'CONTACT', id: contactIds[0] }]));

    const events = await suite.calendar.events(user.email);
    expect(events.filter((e) => e.title === 'Kick-off')).toHaveLength(1);
    const invited = suite.calendar.outbox().filter((m) => m.kind === 'invitation').map((m) => m.to);
    expect(invited).toEqual(expect.arrayContaining(contacts.slice(0, 2)));
    for (const contactId of contactIds.slice(0, 2)) {
      expect((await suite.harness.timeline(account, contactId)).map((m) => m.id)).toContain(response.body.id);
    }

    // The created event comes back through the sync loop: it is linked, never logged a second time.
    await suite.calendar.createEvent(user.email, { title: 'Nudge', start: inDays(6, 9), end: inDays(6, 10), guests: [contacts[2]!] });
    await waitFor(async () => (await suite.harness.timeline(account, contactIds[2]!)).length === 1, 'a later sync');
    const kickOffs = await suite.harness.db.meeting.findMany({ where: { accountId: account.accountId, title: 'Kick-off' }, include: { links: true } });
    expect(kickOffs).toHaveLength(1);
    expect(kickOffs[0]!.links).toHaveLength(1);
  });

  it('creates one event even when the provider fails the first attempts', async () => {
    const { account, user, contactIds } = await setUp();
    suite.calendar.failNext('create', 2, 503);
    const response = await schedule(account, { ownerUserId: user.id, title: 'Despite 503s', startAt: inDays(7, 9), endAt: inDays(7, 10), guestContactIds: [contactIds[0]] });
    await waitForStatus(account, response.body.id, 'SCHEDULED');
    expect((await suite.calendar.events(user.email)).filter((e) => e.title === 'Despite 503s')).toHaveLength(1);
  });

  it('answers a retried request with the first result: one meeting, one event', async () => {
    const { account, user, contactIds } = await setUp();
    const body = { ownerUserId: user.id, title: 'Sent twice', startAt: inDays(8, 9), endAt: inDays(8, 10), guestContactIds: [contactIds[0]] };
    const key = randomUUID();
    const first = await schedule(account, body, key);
    const second = await schedule(account, body, key);
    expect(second.status).toBe(first.status);
    expect(second.body.id).toBe(first.body.id);
    await waitForStatus(account, first.body.id, 'SCHEDULED');
    expect(await suite.harness.db.meeting.count({ where: { accountId: account.accountId, title: 'Sent twice' } })).toBe(1);
    expect((await suite.calendar.events(user.email)).filter((e) => e.title === 'Sent twice')).toHaveLength(1);
  });

  it('sends edits to the calendar and invites guests added in the CRM; calendar edits flow back', async () => {
    const { account, user, contacts, contactIds } = await setUp();
    const created = await schedule(account, { ownerUserId: user.id, title: 'Review', startAt: inDays(9, 9), endAt: inDays(9, 10), guestContactIds: [contactIds[0]] });
    await waitForStatus(account, created.body.id, 'SCHEDULED');

    const edit = await suite.harness.http().patch(`/v1/meetings/${created.body.id}`).set(account.auth).send({ title: 'Review (moved)', startAt: inDays(9, 14), endAt: inDays(9, 15), guestContactIds: [contactIds[0], contactIds[1]], sendUpdate: true });
    expect(edit.status).toBe(200);
    await waitFor(async () => suite.calendar.outbox().some((m) => m.to === contacts[1] && m.kind === 'invitation'), 'the new guest’s invitation');
    const [event] = (await suite.calendar.events(user.email)).filter((e) => e.title === 'Review (moved)');
    expect(event).toMatchObject({ start: inDays(9, 14) });
    expect(event!.guests).toEqual(expect.arrayContaining([contacts[0], contacts[1]]));

    await suite.calendar.updateEvent(user.email, event!.id, { title: 'Review (renamed in calendar)' });
    await waitFor(async () => (await meeting(account, created.body.id)).title === 'Review (renamed in calendar)', 'the calendar edit in the CRM');
  });

  it('keeps a CRM edit when a sync reads the event as it was before the edit reached the calendar', async () => {
    const { account, user, contacts, contactIds } = await setUp();
    const periods = async () => (await suite.harness.http().get(`/v1/users/${user.id}/out-of-office`).set(account.auth)).body.items as { title: string }[];
    suite.calendar.dropNotifications(true); // no sync reads the new event before the edit
    const created = await schedule(account, { ownerUserId: user.id, title: 'Pricing', startAt: inDays(12, 9), endAt: inDays(12, 10), guestContactIds: [contactIds[0]] });
    await waitForStatus(account, created.body.id, 'SCHEDULED').finally(() => suite.calendar.dropNotifications(false));
    // The edit reaches the calendar only once a sync has read the unedited event: refused until then
    // (six refusals stay within the write's eight attempts), not for a fixed few seconds a slow sync could outlast.
    suite.calendar.failNext('patch', 6, 503, 2);
    const edit = { title: 'Pricing (final)', guestContactIds: [contactIds[0], contactIds[1]], sendUpdate: true };
    expect((await suite.harness.http().patch(`/v1/meetings/${created.body.id}`).set(account.auth).send(edit)).status).toBe(200);
    await suite.calendar.createEvent(user.email, { title: 'Training', start: inDays(75, 9), end: inDays(75, 17), outOfOffice: true });
    await waitFor(async () => (await periods()).some((p) => p.title === 'Training'), 'a sync reading the unedited event');
    suite.harness.emulator(provider).clearFaults();
    expect(await meeting(account, created.body.id)).toMatchObject({ title: 'Pricing (final)' });

    await waitFor(async () => suite.calendar.outbox().some((m) => m.to === contacts[1] && m.kind === 'invitation'), 'the added guest’s invitation');
    expect((await suite.calendar.events(user.email)).filter((e) => e.title === 'Pricing (final)')).toHaveLength(1);
    expect(await meeting(account, created.body.id)).toMatchObject({ title: 'Pricing (final)' });
  });

  it('keeps a CRM edit when a full resync re-applies the event as it was before the edit reached the calendar', async () => {
    const { account, user, contactIds } = await setUp();
    const created = await schedule(account, { ownerUserId: user.id, title: 'Renewal', startAt: inDays(13, 9), endAt: inDays(13, 10), guestContactIds: [contactIds[0]] });
    await waitForStatus(account, created.body.id, 'SCHEDULED');
    await waitFor(async () => (await meeting(account, created.body.id)).calendarEvents.length === 1, 'the event linked');
    // Found by the chaos run: a full re-read applies every event again, the unedited one included.
    suite.calendar.failNext('patch', 6, 503, 2);
    const edit = { title: 'Renewal (moved)', startAt: inDays(14, 11), endAt: inDays(14, 12), sendUpdate: true };
    expect((await suite.harness.http().patch(`/v1/meetings/${created.body.id}`).set(account.auth).send(edit)).status).toBe(200);
    const requestedAt = Date.now();
    expect((await suite.harness.http().post(`/v1/users/${user.id}/calendar-connection/resync`).set(account.auth)).status).toBe(202);
    await suite.harness.waitForConnection(account, user, (c) => Date.parse(c.lastSyncAt) >= requestedAt, 'the full resync');
    expect(await meeting(account, created.body.id)).toMatchObject({ title: 'Renewal (moved)', startAt: inDays(14, 11) });
    suite.harness.emulator(provider).clearFaults();

    await waitFor(async () => (await suite.calendar.events(user.email)).some((e) => e.title === 'Renewal (moved)' && e.start === inDays(14, 11)), 'the edit in the calendar');
    await waitFor(async () => (await suite.harness.db.meeting.findUniqueOrThrow({ where: { id: created.body.id } })).calendarUpdatePendingSince === null, 'the edit no longer pending');
    expect(await meeting(account, created.body.id)).toMatchObject({ title: 'Renewal (moved)', startAt: inDays(14, 11) });
  });

  it('deletes a meeting from the CRM only: the calendar event stays', async () => {
    const { account, user, contactIds } = await setUp();
    const created = await schedule(account, { ownerUserId: user.id, title: 'Keep my event', startAt: inDays(10, 9), endAt: inDays(10, 10), guestContactIds: [contactIds[0]] });
    await waitForStatus(account, created.body.id, 'SCHEDULED');
    expect((await suite.harness.http().delete(`/v1/meetings/${created.body.id}`).set(account.auth)).status).toBe(204);
    expect((await suite.harness.http().get(`/v1/meetings/${created.body.id}`).set(account.auth)).status).toBe(404);
    expect((await suite.calendar.events(user.email)).filter((e) => e.title === 'Keep my event' && !e.cancelled)).toHaveLength(1);
  });

  it('refuses to schedule for an owner without a usable calendar, before writing anything', async () => {
    const account = await suite.harness.newAccount(['portal.example']);
    const user = await suite.harness.newUser(account, `unconnected-${randomUUID().slice(0, 8)}@portal.example`);
    const response = await schedule(account, { ownerUserId: user.id, title: 'Nowhere', startAt: inDays(3, 9), endAt: inDays(3, 10) });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('calendar_not_connected');
    expect(await suite.harness.db.meeting.count({ where: { accountId: account.accountId } })).toBe(0);

    const reauth = await setUp();
    await suite.harness.db.calendarConnection.update({ where: { userId: reauth.user.id }, data: { status: 'NEEDS_REAUTH' } });
    const stuck = await schedule(reauth.account, { ownerUserId: reauth.user.id, title: 'Must reconnect', startAt: inDays(3, 9), endAt: inDays(3, 10) });
    expect(stuck.status).toBe(409);
    expect(stuck.body.error.code).toBe('calendar_needs_reauth');
    expect(await suite.harness.db.meeting.count({ where: { accountId: reauth.account.accountId } })).toBe(0);

    const invalid = await schedule(account, { ownerUserId: user.id, title: 'Backwards', startAt: inDays(3, 10), endAt: inDays(3, 9) });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toMatch(/endAt/);
  });

  it('leaves a meeting FAILED with the reason when the create fails for good, and retries it on request', async () => {
    const { account, user, contactIds } = await setUp();
    suite.calendar.failNext('create', 1, 403);
    const created = await schedule(account, { ownerUserId: user.id, title: 'Refused once', startAt: inDays(11, 9), endAt: inDays(11, 10), guestContactIds: [contactIds[0]] });
    const failed = await waitForStatus(account, created.body.id, 'FAILED');
    expect(failed.failureReason).toMatch(/PermissionDenied/);
    const retried = await suite.harness.http().post(`/v1/meetings/${created.body.id}/retry`).set(account.auth);
    expect(retried.status).toBe(202);
    await waitForStatus(account, created.body.id, 'SCHEDULED');
    expect((await suite.calendar.events(user.email)).filter((e) => e.title === 'Refused once')).toHaveLength(1);
  });

  it('syncs out-of-office both ways', async () => {
    const { account, user } = await setUp();
    const periods = async () => (await suite.harness.http().get(`/v1/users/${user.id}/out-of-office`).set(account.auth)).body.items;

    const set = await suite.harness.http().post(`/v1/users/${user.id}/out-of-office`).set(account.auth).send({ title: 'Conference', startAt: inDays(30, 0), endAt: inDays(32, 0) });
    expect(set.status).toBe(202);
    const event = await waitFor(async () => (await suite.calendar.events(user.email)).find((e) => e.title === 'Conference' && e.outOfOffice && !e.cancelled), 'the out-of-office event');
    expect(event.start).toBe(inDays(30, 0));
    expect(await periods()).toHaveLength(1); // the sync loop links its own event, no second period

    expect((await suite.harness.http().delete(`/v1/users/${user.id}/out-of-office/${set.body.id}`).set(account.auth)).status).toBe(202);
    await waitFor(async () => !(await suite.calendar.events(user.email)).some((e) => e.title === 'Conference' && !e.cancelled), 'the event removed');

    // Removed at once, while its event may still be being created: no event is left behind.
    const hasty = await suite.harness.http().post(`/v1/users/${user.id}/out-of-office`).set(account.auth).send({ title: 'Changed my mind', startAt: inDays(50, 0), endAt: inDays(51, 0) });
    expect((await suite.harness.http().delete(`/v1/users/${user.id}/out-of-office/${hasty.body.id}`).set(account.auth)).status).toBe(202);
    for (const change of ['create', 'delete']) await suite.harness.temporal.workflow.getHandle(`out-of-office-${hasty.body.id}-${change}`).result();
    expect((await suite.calendar.events(user.email)).filter((e) => e.title === 'Changed my mind' && !e.cancelled)).toHaveLength(0);

    const fromCalendar = await suite.calendar.createEvent(user.email, { title: 'Sick day', start: inDays(40, 0), end: inDays(41, 0), outOfOffice: true });
    await waitFor(async () => (await periods()).some((p: { title: string; source: string }) => p.title === 'Sick day' && p.source === 'CALENDAR'), 'the calendar period in the CRM');
    await suite.calendar.deleteEvent(user.email, fromCalendar);
    await waitFor(async () => (await periods()).length === 0, 'the calendar period removed');
  });

  it('keeps an out-of-office period removed while a sync reads its event before the event is gone', async () => {
    const { account, user } = await setUp();
    const periods = async () => (await suite.harness.http().get(`/v1/users/${user.id}/out-of-office`).set(account.auth)).body.items as { id: string; title: string; source: string; calendarEventId: string | null }[];
    const set = await suite.harness.http().post(`/v1/users/${user.id}/out-of-office`).set(account.auth).send({ title: 'Offsite', startAt: inDays(60, 0), endAt: inDays(61, 0) });
    const linked = await waitFor(async () => (await periods()).find((p) => p.id === set.body.id && p.calendarEventId), 'the period linked to its event');

    // The calendar refuses the deletion until a sync has read the changed event (six refusals stay
    // within the write's eight attempts), not for a fixed few seconds a slow sync could outlast.
    suite.calendar.failNext('delete', 6, 503, 2);
    expect((await suite.harness.http().delete(`/v1/users/${user.id}/out-of-office/${set.body.id}`).set(account.auth)).status).toBe(202);
    await suite.calendar.updateEvent(user.email, linked.calendarEventId!, { title: 'Offsite, new venue' });
    await suite.calendar.createEvent(user.email, { title: 'Dentist', start: inDays(70, 9), end: inDays(70, 11), outOfOffice: true });
    await waitFor(async () => (await periods()).some((p) => p.title === 'Dentist'), 'a sync after the edit');
    suite.harness.emulator(provider).clearFaults();
    expect((await periods()).filter((p) => p.title.startsWith('Offsite'))).toEqual([]);

    await waitFor(async () => !(await suite.calendar.events(user.email)).some((e) => e.title.startsWith('Offsite') && !e.cancelled), 'the event deleted once the calendar accepts it');
    expect((await periods()).map((p) => p.title)).toEqual(['Dentist']);
  });

  it('deletes the event an interrupted create left behind when the period was removed before the retry', async () => {
    const { account, user } = await setUp();
    const writes = createCalendarWriteActivities(suite.harness.deps);
    const newPeriod = (title: string, days: number, removed = false) =>
      suite.harness.db.outOfOffice.create({
        data: { accountId: account.accountId, userId: user.id, title, startAt: new Date(inDays(days, 0)), endAt: new Date(inDays(days + 1, 0)), source: 'CRM', ...(removed ? { deletedAt: new Date() } : {}) },
      });
    const attempt = (n: number) => new MockActivityEnvironment({ attempt: n }, { logger: new DefaultLogger('ERROR') });
    const liveEvents = async (title: string) => (await suite.calendar.events(user.email)).filter((e) => e.title === title && !e.cancelled);
    // No sync may link the event meanwhile: this test is about the create's own retry.
    suite.calendar.dropNotifications(true);
    try {
      const period = await newPeriod('Half-done', 80);
      // The first attempt creates the event, then loses the database before it can link it.
      const lostDatabase = new Proxy(suite.harness.db, {
        get: (target, key) => (key === '$transaction' ? () => Promise.reject(new Error('connection terminated')) : Reflect.get(target, key, target)),
      }) as Database;
      const interrupted = createCalendarWriteActivities({ ...suite.harness.deps, db: lostDatabase });
      await expect(attempt(1).run(interrupted.createOutOfOfficeEvent, period.id)).rejects.toThrow('connection terminated');
      expect(await liveEvents('Half-done')).toHaveLength(1);

      expect((await suite.harness.http().delete(`/v1/users/${user.id}/out-of-office/${period.id}`).set(account.auth)).status).toBe(202);
      await suite.harness.temporal.workflow.getHandle(`out-of-office-${period.id}-delete`).result();
      expect(await liveEvents('Half-done')).toHaveLength(1); // nothing linked yet, so the removal found nothing to delete

      await attempt(2).run(writes.createOutOfOfficeEvent, period.id);
      expect(await liveEvents('Half-done')).toHaveLength(0);

      const neverCreated = await newPeriod('Never created', 90, true);
      await attempt(1).run(writes.createOutOfOfficeEvent, neverCreated.id);
      expect((await suite.calendar.events(user.email)).filter((e) => e.title === 'Never created')).toHaveLength(0);
    } finally {
      suite.calendar.dropNotifications(false);
    }
  });
});
