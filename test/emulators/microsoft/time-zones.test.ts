/**
 * The Microsoft emulator's time zones, and the adapter on them: times given in an IANA or Windows
 * zone are read in that zone, kept as `originalStartTimeZone`, rendered in UTC when the client asks
 * (`Prefer: outlook.timezone="UTC"`, as the adapter does) and in the event's own zone otherwise; the
 * adapter reports the zone as IANA and keeps all-day dates east and west of UTC; snapshots keep zones.
 */
import { EventService } from '../../../devstack/emulators/microsoft/event-service';
import { renderEvent } from '../../../devstack/emulators/microsoft/event-model';
import { MailboxStore } from '../../../devstack/emulators/microsoft/mailboxes';
import { getJson, readAll, useMailbox, WINDOW } from './support';

const PREFER_UTC = { Prefer: 'outlook.timezone="UTC"' };

describe('Microsoft emulator time zones', () => {
  const context = useMailbox('zones@contoso.example');
  const post = async (body: Record<string, unknown>) => context.mailbox.graph.api('/me/events').post(body);
  const read = async (id: string, headers: Record<string, string> = {}) =>
    (await getJson(`${context.emulator.graphBaseUrl}/v1.0/me/events/${id}`, context.emulator, { Authorization: `Bearer ${context.mailbox.credentials.accessToken}`, ...headers })).body;

  it('reads a wall time in its IANA zone, keeps the zone, renders UTC on request and the event’s zone otherwise', async () => {
    const created = await post({ subject: 'Paris', start: { dateTime: '2030-12-10T09:00:00', timeZone: 'Europe/Paris' }, end: { dateTime: '2030-12-10T10:00:00', timeZone: 'Europe/Paris' } });
    expect(created).toMatchObject({ originalStartTimeZone: 'Europe/Paris', originalEndTimeZone: 'Europe/Paris', start: { dateTime: '2030-12-10T09:00:00.0000000', timeZone: 'Europe/Paris' } });
    const inUtc = await read(created.id, PREFER_UTC);
    expect(inUtc.start).toEqual({ dateTime: '2030-12-10T08:00:00.0000000', timeZone: 'UTC' });
    expect(inUtc.end).toEqual({ dateTime: '2030-12-10T09:00:00.0000000', timeZone: 'UTC' });
    expect((await read(created.id)).start).toEqual({ dateTime: '2030-12-10T09:00:00.0000000', timeZone: 'Europe/Paris' });
  });

  it('understands Windows zone names, summer time included, and reports them as given', async () => {
    const created = await post({ subject: 'Berlin', start: { dateTime: '2030-07-01T09:00:00', timeZone: 'W. Europe Standard Time' }, end: { dateTime: '2030-07-01T09:30:00', timeZone: 'W. Europe Standard Time' } });
    expect((await read(created.id, PREFER_UTC)).start).toEqual({ dateTime: '2030-07-01T07:00:00.0000000', timeZone: 'UTC' });
    expect(await read(created.id)).toMatchObject({ originalStartTimeZone: 'W. Europe Standard Time', start: { dateTime: '2030-07-01T09:00:00.0000000', timeZone: 'W. Europe Standard Time' } });
    const event = await context.mailbox.calendar.getEvent(created.id);
    expect(event!.start).toEqual({ dateTime: '2030-07-01T07:00:00.000Z', timeZone: 'Europe/Berlin', allDay: false });
  });

  it('refuses a zone it cannot name', async () => {
    await expect(post({ subject: 'Nowhere', start: { dateTime: '2030-12-10T09:00:00', timeZone: 'Mars/Olympus' }, end: { dateTime: '2030-12-10T10:00:00', timeZone: 'Mars/Olympus' } }))
      .rejects.toMatchObject({ statusCode: 400 });
  });

  it('creates the CRM’s event in the meeting’s zone: wall time there, the IANA name kept, invitations from it', async () => {
    const created = await context.mailbox.calendar.createEvent(
      { title: 'Kick-off', start: { dateTime: '2030-12-10T08:00:00.000Z', timeZone: 'Europe/Paris' }, end: { dateTime: '2030-12-10T09:00:00.000Z', timeZone: 'Europe/Paris' }, attendees: [{ email: 'ann@customer.example' }] },
      { clientId: 'tz-meeting', crmMeetingId: 'tz-meeting' },
    );
    expect(created.start).toEqual({ dateTime: '2030-12-10T08:00:00.000Z', timeZone: 'Europe/Paris', allDay: false });
    expect(await read(created.id)).toMatchObject({ originalStartTimeZone: 'Europe/Paris', start: { dateTime: '2030-12-10T09:00:00.0000000', timeZone: 'Europe/Paris' } });
    expect(context.emulator.control.outbox()).toContainEqual({ to: 'ann@customer.example', eventId: created.id, kind: 'invitation', subject: 'Kick-off' });
  });

  it('keeps all-day dates east and west of UTC, a multi-day end included, through delta and the adapter', async () => {
    const allDay = (subject: string, start: string, end: string, timeZone: string) =>
      post({ subject, isAllDay: true, start: { dateTime: `${start}T00:00:00`, timeZone }, end: { dateTime: `${end}T00:00:00`, timeZone } });
    const tokyo = await allDay('Tokyo offsite', '2030-12-10', '2030-12-11', 'Tokyo Standard Time');
    const losAngeles = await allDay('LA conference', '2030-12-14', '2030-12-17', 'Pacific Standard Time');
    // Rendered in UTC, local midnights are on other days: the adapter reads them in the event's zone.
    expect((await read(tokyo.id, PREFER_UTC)).start.dateTime).toBe('2030-12-09T15:00:00.0000000');
    const { events } = await readAll(context.mailbox.calendar, { window: WINDOW });
    const byTitle = new Map(events.map((event) => [event.title, event]));
    expect(byTitle.get('Tokyo offsite')).toMatchObject({
      start: { dateTime: '2030-12-10T00:00:00.000Z', timeZone: 'Asia/Tokyo', allDay: true },
      end: { dateTime: '2030-12-11T00:00:00.000Z', timeZone: 'Asia/Tokyo', allDay: true },
    });
    expect(byTitle.get('LA conference')).toMatchObject({
      start: { dateTime: '2030-12-14T00:00:00.000Z', timeZone: 'America/Los_Angeles', allDay: true },
      end: { dateTime: '2030-12-17T00:00:00.000Z', timeZone: 'America/Los_Angeles', allDay: true },
    });
    expect(losAngeles.id).toBe(byTitle.get('LA conference')!.id);
  });

  it('writes the CRM’s all-day event as midnights of its dates in its zone', async () => {
    const created = await context.mailbox.calendar.createEvent(
      { title: 'Holiday', start: { dateTime: '2030-12-24T00:00:00.000Z', timeZone: 'Asia/Tokyo', allDay: true }, end: { dateTime: '2030-12-26T00:00:00.000Z', timeZone: 'Asia/Tokyo', allDay: true }, attendees: [] },
      { clientId: 'tz-holiday' },
    );
    expect(await read(created.id)).toMatchObject({ isAllDay: true, start: { dateTime: '2030-12-24T00:00:00.0000000', timeZone: 'Asia/Tokyo' }, end: { dateTime: '2030-12-26T00:00:00.0000000', timeZone: 'Asia/Tokyo' } });
    expect(created.start).toEqual({ dateTime: '2030-12-24T00:00:00.000Z', timeZone: 'Asia/Tokyo', allDay: true });
    expect(created.end).toEqual({ dateTime: '2030-12-26T00:00:00.000Z', timeZone: 'Asia/Tokyo', allDay: true });
  });
});

describe('Microsoft emulator time zones across snapshot and restore', () => {
  const storeWithParisEvent = () => {
    const store = new MailboxStore();
    const mailbox = store.create({ email: 'keeper@contoso.example' });
    const event = new EventService(store).create(mailbox, { subject: 'Paris', start: { dateTime: '2030-12-10T09:00:00', timeZone: 'Europe/Paris' }, end: { dateTime: '2030-12-10T10:00:00', timeZone: 'Romance Standard Time' } }, { mail: false });
    return { store, id: event.id };
  };
  const rendered = (store: MailboxStore, id: string) => renderEvent(store.view(store.get('keeper@contoso.example')!, id)!, 'keeper@contoso.example');

  it('keeps each event’s zones', () => {
    const { store, id } = storeWithParisEvent();
    const restored = new MailboxStore();
    restored.restore(JSON.parse(JSON.stringify(store.snapshot())));
    expect(rendered(restored, id)).toMatchObject({
      originalStartTimeZone: 'Europe/Paris',
      originalEndTimeZone: 'Romance Standard Time',
      start: { dateTime: '2030-12-10T09:00:00.0000000', timeZone: 'Europe/Paris' },
      end: { dateTime: '2030-12-10T10:00:00.0000000', timeZone: 'Romance Standard Time' },
    });
  });

  it('restores state saved before zones were kept as UTC, the only zone understood then', () => {
    const { store, id } = storeWithParisEvent();
    const saved = JSON.parse(JSON.stringify(store.snapshot()));
    for (const event of saved.mailboxes[0].events) {
      delete event.startTimeZone;
      delete event.endTimeZone;
    }
    const restored = new MailboxStore();
    restored.restore(saved);
    expect(rendered(restored, id)).toMatchObject({ originalStartTimeZone: 'UTC', start: { dateTime: '2030-12-10T08:00:00.0000000', timeZone: 'UTC' } });
  });
});
