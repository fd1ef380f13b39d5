/**
 * Google write contract: client-chosen ids (validated, 409 on reuse, idempotent create), patch and
 * delete with `sendUpdates` recorded in the outbox, 410 on a second delete, out-of-office inserts.
 */
import type { GoogleEmulator } from '../../../devstack/emulators/google';
import { googleEventIdFor } from '../../../providers/google';
import type { EventInput } from '../../../providers/types';
import { connectUser, eventAt, rejectionOf, startEmulator, type Connected } from './support';

const meeting = (guests: string[]): EventInput => ({
  title: 'Demo',
  description: 'Product demo',
  location: 'Room 4',
  start: { dateTime: '2030-06-03T10:00:00Z', timeZone: 'Europe/Paris' },
  end: { dateTime: '2030-06-03T11:00:00Z', timeZone: 'Europe/Paris' },
  attendees: guests.map((email) => ({ email })),
});

describe('Google emulator: writes', () => {
  let emulator: GoogleEmulator;
  let user: Connected;
  let seq = 0;
  const clientId = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

  beforeAll(async () => {
    emulator = await startEmulator();
    user = await connectUser(emulator, 'writer@portal.example');
    emulator.control.createUser({ email: 'colleague@portal.example' });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.control.clearOutbox());

  it('derives a valid Google id from any client id', () => {
    expect(googleEventIdFor('3F2A6C1E-1111-4A3B-9C2D-1234567890AB')).toBe('crm03f2a6c1e11114a3b9c2d1234567890ab');
    for (const id of ['3f2a6c1e-1111-4a3b-9c2d-1234567890ab', 'clx9w2z0000008l4yzz', 'ooo:period/7', 'é']) {
      expect(googleEventIdFor(id)).toMatch(/^[a-v0-9]{5,1024}$/);
    }
    expect(googleEventIdFor('ab')).not.toBe(googleEventIdFor(Buffer.from('ab', 'hex').toString('latin1')));
  });

  it('creates once per client id: a retried create returns the same event', async () => {
    const id = clientId();
    const first = await user.calendar.createEvent(meeting(['client@customer.example']), { clientId: id, crmMeetingId: 'm-1' });
    expect(first).toMatchObject({ id: googleEventIdFor(id), title: 'Demo', location: 'Room 4', crmMeetingId: 'm-1', kind: 'single' });
    const retried = await user.calendar.createEvent(meeting(['client@customer.example']), { clientId: id, crmMeetingId: 'm-1' });
    expect(retried.id).toBe(first.id);
    const all = await user.raw.events.list({ calendarId: 'primary', privateExtendedProperty: ['crmMeetingId=m-1'] }, user.auth());
    expect(all.data.items).toHaveLength(1);
    expect(emulator.control.outbox()).toEqual([{ to: 'client@customer.example', eventId: first.id, kind: 'invitation', summary: 'Demo' }]);

    const raw = await rejectionOf(user.raw.events.insert({ calendarId: 'primary', requestBody: { id: first.id, ...eventAt(1, 9) } }, user.auth()));
    expect(raw.response.status).toBe(409);
    expect(raw.response.data.error.errors[0].reason).toBe('duplicate');
  });

  it('refuses ids outside base32hex or of the wrong length, and bad bodies (400 → invalid)', async () => {
    for (const id of ['UPPERCASE1', 'with-dash1', 'wxyz12345', 'abc1']) {
      const error = await rejectionOf(user.raw.events.insert({ calendarId: 'primary', requestBody: { id, ...eventAt(1, 9) } }, user.auth()));
      expect([id, error.response.status]).toEqual([id, 400]);
    }
    const noEnd = await rejectionOf(user.raw.events.insert({ calendarId: 'primary', requestBody: { summary: 'x', start: { dateTime: '2030-01-01T10:00:00Z' } } }, user.auth()));
    expect(noEnd.response.status).toBe(400);
    const backwards = { ...meeting([]), end: { dateTime: '2030-06-03T09:00:00Z' } };
    expect(await rejectionOf(user.calendar.createEvent(backwards, { clientId: clientId() }))).toMatchObject({ kind: 'invalid', details: { status: 400 } });
  });

  it('patches with or without notifying guests; new guests get invitations, removed ones cancellations', async () => {
    const created = await user.calendar.createEvent(meeting(['a@customer.example', 'colleague@portal.example']), { clientId: clientId() });
    emulator.control.userSetResponse(user.email, created.id, 'a@customer.example', 'accepted');
    emulator.control.clearOutbox();

    const quiet = await user.calendar.patchEvent(created.id, { title: 'Quiet rename' }, { notify: false });
    expect(quiet.title).toBe('Quiet rename');
    expect(emulator.control.outbox()).toEqual([]);

    const moved = await user.calendar.patchEvent(
      created.id,
      { start: { dateTime: '2030-06-04T10:00:00Z' }, end: { dateTime: '2030-06-04T11:00:00Z' }, attendees: [{ email: 'a@customer.example' }, { email: 'b@customer.example' }] },
      { notify: true },
    );
    expect(moved.start).toEqual({ dateTime: '2030-06-04T10:00:00.000Z', timeZone: 'Europe/Paris' }); // patch merges start
    // The guest who stayed keeps their answer: the adapter merges the list Google would replace.
    expect(moved.guests.map((g) => [g.email, g.response])).toEqual([['a@customer.example', 'accepted'], ['b@customer.example', 'none']]);
    expect(emulator.control.outbox()).toEqual([
      { to: 'a@customer.example', eventId: created.id, kind: 'update', summary: 'Quiet rename' },
      { to: 'b@customer.example', eventId: created.id, kind: 'invitation', summary: 'Quiet rename' },
      { to: 'colleague@portal.example', eventId: created.id, kind: 'cancellation', summary: 'Quiet rename' },
    ]);
    const raw = await user.raw.events.get({ calendarId: 'primary', eventId: created.id }, user.auth());
    expect(raw.data.sequence).toBe(1);
  });

  it('sends mail to outside guests only with externalOnly', async () => {
    const raw = await user.raw.events.insert(
      { calendarId: 'primary', sendUpdates: 'externalOnly', requestBody: eventAt(4, 9, { attendees: [{ email: 'colleague@portal.example' }, { email: 'x@customer.example' }] }) },
      user.auth(),
    );
    expect(emulator.control.outbox().map((m) => m.to)).toEqual(['x@customer.example']);
    await user.raw.events.patch({ calendarId: 'primary', eventId: raw.data.id!, sendUpdates: 'none', requestBody: { summary: 'n' } }, user.auth());
    expect(emulator.control.outbox()).toHaveLength(1);
    const invalid = await rejectionOf(user.raw.events.patch({ calendarId: 'primary', eventId: raw.data.id!, sendUpdates: 'everyone', requestBody: {} }, user.auth()));
    expect(invalid.response.status).toBe(400);
  });

  it('deletes with cancellations; a second delete is 410 for googleapis and fine for the adapter', async () => {
    const created = await user.calendar.createEvent(meeting(['c@customer.example']), { clientId: clientId() });
    emulator.control.clearOutbox();
    await user.calendar.deleteEvent(created.id, { notify: true });
    expect(emulator.control.outbox()).toEqual([{ to: 'c@customer.example', eventId: created.id, kind: 'cancellation', summary: 'Demo' }]);
    expect(await user.calendar.getEvent(created.id)).toMatchObject({ status: 'cancelled', title: 'Demo' });

    const again = await rejectionOf(user.raw.events.delete({ calendarId: 'primary', eventId: created.id }, user.auth()));
    expect(again.response.status).toBe(410);
    expect(again.response.data.error.errors[0].reason).toBe('deleted');
    await expect(user.calendar.deleteEvent(created.id, { notify: false })).resolves.toBeUndefined();
    await expect(user.calendar.deleteEvent('neverexisted1', { notify: false })).resolves.toBeUndefined();
    expect(await user.calendar.getEvent('neverexisted1')).toBeUndefined();
    const missing = await rejectionOf(user.raw.events.get({ calendarId: 'primary', eventId: 'neverexisted1' }, user.auth()));
    expect(missing.response.status).toBe(404);
  });

  it('creates out-of-office events as Google wants them, marked with their CRM period', async () => {
    const periodId = clientId();
    const created = await user.calendar.createEvent(
      { title: 'Vacation', start: { dateTime: '2030-07-01T00:00:00Z' }, end: { dateTime: '2030-07-08T00:00:00Z' }, attendees: [], outOfOffice: true },
      { clientId: periodId, crmOutOfOfficeId: periodId },
    );
    expect(created).toMatchObject({ eventType: 'outOfOffice', guests: [], crmOutOfOfficeId: periodId });
    expect(created.crmMeetingId).toBeUndefined();
    expect((await user.calendar.getEvent(created.id))?.crmOutOfOfficeId).toBe(periodId);
    const raw = await user.raw.events.get({ calendarId: 'primary', eventId: created.id }, user.auth());
    expect(raw.data).toMatchObject({ eventType: 'outOfOffice', transparency: 'opaque', outOfOfficeProperties: { autoDeclineMode: 'declineNone' } });
    const changeType = await rejectionOf(user.raw.events.patch({ calendarId: 'primary', eventId: created.id, requestBody: { eventType: 'default' } }, user.auth()));
    expect(changeType.response.status).toBe(400);
  });

  it('serves only the user’s own primary calendar, by `primary` or by email', async () => {
    const mine = await user.raw.events.list({ calendarId: user.email }, user.auth());
    expect(mine.status).toBe(200);
    const theirs = await rejectionOf(user.raw.events.list({ calendarId: 'colleague@portal.example' }, user.auth()));
    expect(theirs.response.status).toBe(404);
  });

  it('stamps strictly increasing `updated` values on every change', async () => {
    const created = await user.calendar.createEvent(meeting([]), { clientId: clientId() });
    const stamps = [created.updatedAt!];
    for (let i = 0; i < 20; i++) stamps.push((await user.calendar.patchEvent(created.id, { title: `v${i}` }, { notify: false })).updatedAt!);
    for (let i = 1; i < stamps.length; i++) expect(Date.parse(stamps[i]!)).toBeGreaterThan(Date.parse(stamps[i - 1]!));
    expect(stamps.every((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(s))).toBe(true);
  });
});
