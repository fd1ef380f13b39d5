import { readAll, signIn, useMailbox, WINDOW } from './support';

const when = (hour: number, day = 1) => ({ dateTime: new Date(Date.UTC(2030, 5, day, hour)).toISOString() });

describe('Microsoft Graph event writes', () => {
  const context = useMailbox('writer@contoso.example');
  const control = () => context.emulator.control;

  it('creates once per transactionId: a retried create returns the first event and invites once', async () => {
    const input = { title: 'Kick-off', start: when(9), end: when(10), attendees: [{ email: 'ann@customer.example', name: 'Ann' }] };
    const first = await context.mailbox.calendar.createEvent(input, { clientId: 'meeting-1', crmMeetingId: 'meeting-1' });
    const retry = await context.mailbox.calendar.createEvent(input, { clientId: 'meeting-1', crmMeetingId: 'meeting-1' });
    expect(retry.id).toBe(first.id);
    expect(first).toMatchObject({ crmMeetingId: 'meeting-1', kind: 'single', status: 'confirmed', organizer: { email: context.mailbox.email, self: true } });
    expect(first.guests).toEqual([{ email: 'ann@customer.example', name: 'Ann', response: 'none', kind: 'person', organizer: false, self: false }]);
    expect(control().outbox().filter((m) => m.eventId === first.id)).toEqual([{ to: 'ann@customer.example', eventId: first.id, kind: 'invitation', subject: 'Kick-off' }]);
    const listed = (await readAll(context.mailbox.calendar, { window: WINDOW })).events.filter((e) => e.title === 'Kick-off');
    expect(listed).toHaveLength(1);
  });

  it('answers 201 both times for a raw POST with the same transactionId, with Graph’s field shapes', async () => {
    const body = {
      subject: 'Raw',
      body: { contentType: 'text', content: 'Agenda' },
      start: { dateTime: '2030-06-02T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2030-06-02T09:30:00', timeZone: 'UTC' },
      location: { displayName: 'Lobby' },
      transactionId: 'raw-tx-1',
    };
    const responses = [];
    for (let i = 0; i < 2; i++) responses.push(await context.mailbox.graph.api('/me/events').responseType('raw' as never).post(body));
    expect(responses.map((r) => r.status)).toEqual([201, 201]);
    const [first, second] = await Promise.all(responses.map((r) => r.json()));
    expect(second.id).toBe(first.id);
    expect(first).toMatchObject({
      subject: 'Raw',
      bodyPreview: 'Agenda',
      start: { dateTime: '2030-06-02T09:00:00.0000000', timeZone: 'UTC' },
      location: { displayName: 'Lobby' },
      transactionId: 'raw-tx-1',
      type: 'singleInstance',
      isOrganizer: true,
      responseStatus: { response: 'organizer' },
      sensitivity: 'normal',
      showAs: 'busy',
      isCancelled: false,
      iCalUId: expect.any(String),
      changeKey: expect.any(String),
    });
    // A non-CRM transactionId says nothing about a CRM meeting.
    expect((await context.mailbox.calendar.getEvent(first.id))!.crmMeetingId).toBeUndefined();
  });

  it('invites a guest added by PATCH and sends the others an update', async () => {
    const event = await context.mailbox.calendar.createEvent({ title: 'Review', start: when(11), end: when(12), attendees: [{ email: 'ann@customer.example' }] }, { clientId: 'meeting-2', crmMeetingId: 'meeting-2' });
    control().clearOutbox();
    const patched = await context.mailbox.calendar.patchEvent(event.id, { start: when(13), end: when(14), attendees: [{ email: 'ann@customer.example' }, { email: 'bob@customer.example' }] }, { notify: true });
    expect(patched.start!.dateTime).toBe(when(13).dateTime);
    expect(control().outbox()).toEqual([
      { to: 'bob@customer.example', eventId: event.id, kind: 'invitation', subject: 'Review' },
      { to: 'ann@customer.example', eventId: event.id, kind: 'update', subject: 'Review' },
    ]);
  });

  it('maps sensitivity, resources, responses and organizer; out-of-office; deletes with 204 then 404', async () => {
    const created = control().userCreateEvent(context.mailbox.email, {
      subject: 'Offsite',
      start: { dateTime: '2030-07-01T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2030-07-01T10:00:00', timeZone: 'UTC' },
      sensitivity: 'confidential',
      attendees: [
        { type: 'resource', emailAddress: { address: 'room-1@contoso.example' } },
        { type: 'required', emailAddress: { address: 'ann@customer.example' } },
        { type: 'optional', emailAddress: { address: 'bob@customer.example' } },
      ],
    });
    control().userSetResponse(context.mailbox.email, created.id as string, 'ann@customer.example', 'tentative');
    control().userSetResponse(context.mailbox.email, created.id as string, 'bob@customer.example', 'declined');
    const event = await context.mailbox.calendar.getEvent(created.id as string);
    expect(event).toMatchObject({ visibility: 'private', eventType: 'default', organizer: { email: context.mailbox.email, self: true } });
    expect(event!.guests.map((g) => [g.email, g.kind, g.response])).toEqual([
      ['room-1@contoso.example', 'resource', 'none'],
      ['ann@customer.example', 'person', 'tentative'],
      ['bob@customer.example', 'person', 'declined'],
    ]);

    const away = await context.mailbox.calendar.createEvent({ title: 'Away', start: when(0, 3), end: when(23, 3), attendees: [{ email: 'ignored@customer.example' }], outOfOffice: true }, { clientId: 'period-1', crmOutOfOfficeId: 'period-1' });
    expect(away).toMatchObject({ eventType: 'outOfOffice', guests: [], crmOutOfOfficeId: 'period-1' });
    expect(away.crmMeetingId).toBeUndefined(); // not a meeting
    expect((await context.mailbox.calendar.getEvent(away.id))?.crmOutOfOfficeId).toBe('period-1');
    expect(control().outbox().some((m) => m.eventId === away.id)).toBe(false);
    const deleted = await context.mailbox.graph.api(`/me/events/${away.id}`).responseType('raw' as never).delete();
    expect(deleted.status).toBe(204);
    await expect(context.mailbox.graph.api(`/me/events/${away.id}`).get()).rejects.toMatchObject({ statusCode: 404, code: 'ErrorItemNotFound' });
    await expect(context.mailbox.calendar.deleteEvent(away.id, { notify: false })).resolves.toBeUndefined();
    expect(await context.mailbox.calendar.getEvent(away.id)).toBeUndefined();
    await expect(context.mailbox.calendar.patchEvent(away.id, { title: 'x' }, { notify: false })).rejects.toMatchObject({ kind: 'notFound' });
  });

  it('gives an attendee who is a user their own copy: another id, the same iCalUId, changes propagated, cancelled when the organizer deletes', async () => {
    const colleague = await signIn(context.emulator, 'colleague@contoso.example');
    const event = await context.mailbox.calendar.createEvent({ title: 'Joint', start: when(15), end: when(16), attendees: [{ email: colleague.email }] }, { clientId: 'meeting-3', crmMeetingId: 'meeting-3' });
    const seen = await readAll(colleague.calendar, { window: WINDOW });
    const copies = seen.events.filter((e) => e.iCalUID === event.iCalUID);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.id).not.toBe(event.id);
    expect(copies[0]).toMatchObject({ organizer: { email: context.mailbox.email, self: false }, guests: [expect.objectContaining({ email: colleague.email, self: true })] });

    await context.mailbox.calendar.patchEvent(event.id, { title: 'Joint (moved)', start: when(17), end: when(18) }, { notify: true });
    const moved = await readAll(colleague.calendar, { cursor: seen.cursor });
    expect(moved.events).toEqual([expect.objectContaining({ id: copies[0]!.id, title: 'Joint (moved)', start: { dateTime: when(17).dateTime, timeZone: 'UTC', allDay: false } })]);

    await context.mailbox.calendar.deleteEvent(event.id, { notify: true });
    expect(await colleague.calendar.getEvent(copies[0]!.id)).toMatchObject({ status: 'cancelled' });
    expect(control().outbox().filter((m) => m.eventId === event.id).map((m) => m.kind)).toEqual(['invitation', 'update', 'cancellation']);
  });

  it('lands an outside contact’s invitation in the user’s calendar with the contact as organizer', async () => {
    const invited = control().inviteUser(context.mailbox.email, {
      organizer: 'carol@customer.example',
      subject: 'Their call',
      start: '2030-06-05T09:00:00Z',
      end: '2030-06-05T09:30:00Z',
    });
    const event = await context.mailbox.calendar.getEvent(invited.id as string);
    expect(event).toMatchObject({ title: 'Their call', organizer: { email: 'carol@customer.example', self: false } });
    expect(event!.guests).toEqual([expect.objectContaining({ email: context.mailbox.email, self: true, response: 'none' })]);
    await expect(context.mailbox.calendar.patchEvent(invited.id as string, { title: 'Mine now' }, { notify: true })).rejects.toMatchObject({ kind: 'permissionDenied' });
  });
});
