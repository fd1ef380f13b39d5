import { readAll, signIn, useMailbox, WINDOW } from './support';

const when = (hour: number) => ({ dateTime: new Date(Date.UTC(2030, 5, 1, hour)).toISOString() });

describe('Microsoft Graph event writes', () => {
  const context = useMailbox('writer@contoso.example');

  it('creates once per transactionId: a retried create returns the first event and invites once', async () => {
    const input = { title: 'Kick-off', start: when(9), end: when(10), attendees: [{ email: 'ann@customer.example' }] };
    const first = await context.mailbox.calendar.createEvent(input, { clientId: 'meeting-1' });
    const retry = await context.mailbox.calendar.createEvent(input, { clientId: 'meeting-1' });
    expect(retry.id).toBe(first.id);
    expect(first.crmMeetingId).toBe('meeting-1');
    expect(context.emulator.control.outbox().filter((m) => m.eventId === first.id)).toEqual([{ to: 'ann@customer.example', eventId: first.id, kind: 'invitation', subject: 'Kick-off' }]);
  });

  it('invites a guest added by PATCH and sends the others an update', async () => {
    const event = await context.mailbox.calendar.createEvent({ title: 'Review', start: when(11), end: when(12), attendees: [{ email: 'ann@customer.example' }] }, { clientId: 'meeting-2' });
    context.emulator.control.clearOutbox();
    const patched = await context.mailbox.calendar.patchEvent(event.id, { start: when(13), end: when(14), attendees: [{ email: 'ann@customer.example' }, { email: 'bob@customer.example' }] }, { notify: true });
    expect(patched.start!.dateTime).toBe(when(13).dateTime);
    expect(context.emulator.control.outbox()).toEqual(
      expect.arrayContaining([expect.objectContaining({ to: 'bob@customer.example', kind: 'invitation' }), expect.objectContaining({ to: 'ann@customer.example', kind: 'update' })]),
    );
  });

  it('maps sensitivity, out-of-office, resources and organizer; deletes, and a second delete is fine', async () => {
    const created = context.emulator.control.userCreateEvent(context.mailbox.email, {
      subject: 'Offsite',
      start: { dateTime: '2030-07-01T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2030-07-01T10:00:00', timeZone: 'UTC' },
      sensitivity: 'private',
      attendees: [{ type: 'resource', emailAddress: { address: 'room-1@contoso.example' } }, { type: 'required', emailAddress: { address: 'ann@customer.example' } }],
    });
    const event = await context.mailbox.calendar.getEvent(created.id as string);
    expect(event).toMatchObject({ visibility: 'private', organizer: { email: context.mailbox.email, self: true } });
    expect(event!.guests.map((g) => [g.email, g.kind])).toEqual([['room-1@contoso.example', 'resource'], ['ann@customer.example', 'person']]);

    const away = await context.mailbox.calendar.createEvent({ title: 'Away', start: when(0), end: when(23), attendees: [], outOfOffice: true }, { clientId: 'period-1' });
    expect(away.eventType).toBe('outOfOffice');
    await context.mailbox.calendar.deleteEvent(away.id, { notify: false });
    await context.mailbox.calendar.deleteEvent(away.id, { notify: false });
    expect(await context.mailbox.calendar.getEvent(away.id)).toBeUndefined();
  });

  it('gives an attendee who is a user their own copy: another id, the same iCalUId, cancelled when the organizer cancels', async () => {
    const colleague = await signIn(context.emulator, 'colleague@contoso.example');
    const event = await context.mailbox.calendar.createEvent({ title: 'Joint', start: when(15), end: when(16), attendees: [{ email: colleague.email }] }, { clientId: 'meeting-3' });
    const copies = (await readAll(colleague.calendar, { window: WINDOW })).events.filter((e) => e.iCalUID === event.iCalUID);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.id).not.toBe(event.id);
    await context.mailbox.calendar.deleteEvent(event.id, { notify: true });
    expect(await colleague.calendar.getEvent(copies[0]!.id)).toMatchObject({ status: 'cancelled' });
  });
});
