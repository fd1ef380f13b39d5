import type { CalendarEvent } from '../../../model/calendar-event';
import { at, readAll, signIn, useMailbox, WINDOW } from './support';

const byStart = (a: CalendarEvent, b: CalendarEvent) => a.start!.dateTime.localeCompare(b.start!.dateTime);
const weekly = (weeks: number) => ({ pattern: { type: 'weekly', interval: 1 }, range: { type: 'numbered', numberOfOccurrences: weeks } });

describe('Microsoft Graph calendarView delta', () => {
  const context = useMailbox('delta@contoso.example');
  const control = () => context.emulator.control;
  const email = () => context.mailbox.email;

  it('pages a window with nextLinks, ends with a deltaLink, then lists only changes with @removed', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) ids.push(control().userCreateEvent(email(), { subject: `E${i}`, start: at(i % 300, 9), end: at(i % 300, 10) }).id as string);
    const first = await readAll(context.mailbox.calendar, { window: WINDOW });
    expect(first.events).toHaveLength(150);
    expect(first.pages).toBe(2); // the adapter asks for pages of 100
    expect(first.cursor).toContain('$deltatoken=');

    control().userUpdateEvent(email(), ids[0]!, { subject: 'Renamed' });
    control().userDeleteEvent(email(), ids[1]!);
    control().userUpdateEvent(email(), ids[2]!, { start: at(800, 9), end: at(800, 10) }); // leaves the window
    control().userCreateEvent(email(), { subject: 'Outside', start: at(900, 9), end: at(900, 10) });
    const changes = await readAll(context.mailbox.calendar, { cursor: first.cursor });
    expect(changes.events).toEqual([
      expect.objectContaining({ id: ids[0], title: 'Renamed', status: 'confirmed' }),
      { id: ids[1], kind: 'single', status: 'cancelled', removed: true, visibility: 'default', eventType: 'default', guests: [] },
      expect.objectContaining({ id: ids[2], removed: true }),
    ]); // an event created outside the window is not listed at all

    const quiet = await readAll(context.mailbox.calendar, { cursor: changes.cursor });
    expect(quiet.events).toHaveLength(0);
  });

  it('honours Prefer: odata.maxpagesize, answers in UTC with 7 fractional digits, and pages with opaque tokens', async () => {
    const { graph } = context.mailbox;
    const raw = await graph
      .api(`/me/calendarView/delta?startDateTime=${WINDOW.start}&endDateTime=${WINDOW.end}`)
      .header('Prefer', 'odata.maxpagesize=2, outlook.timezone="UTC"')
      .responseType('raw' as never)
      .get();
    expect(raw.headers.get('preference-applied')).toBe('odata.maxpagesize=2, outlook.timezone="UTC"');
    const page = await raw.json();
    expect(page.value).toHaveLength(2);
    expect(page['@odata.nextLink']).toMatch(/\/v1\.0\/me\/calendarView\/delta\?\$skiptoken=[\w-]+$/);
    expect(page['@odata.deltaLink']).toBeUndefined();
    expect(page.value[0].start).toEqual({ dateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/), timeZone: 'UTC' });
    expect(page.value[0]).toEqual(
      expect.objectContaining({ id: expect.any(String), iCalUId: expect.any(String), type: 'singleInstance', changeKey: expect.any(String), body: { contentType: 'text', content: '' } }),
    );
    // Without a preference: Graph's undocumented default (here 50).
    const unpreferred = await graph.api(`/me/calendarView/delta?startDateTime=${WINDOW.start}&endDateTime=${WINDOW.end}`).get();
    expect(unpreferred.value).toHaveLength(50);
  });

  it('answers an invalidated delta token with 410 syncStateNotFound, seen as cursorInvalidated', async () => {
    const { cursor } = await readAll(context.mailbox.calendar, { window: WINDOW });
    control().invalidateDeltaTokens(email());
    await expect(context.mailbox.calendar.listChanges({ cursor })).rejects.toMatchObject({ kind: 'cursorInvalidated', name: 'CursorInvalidatedError' });
    const raw = await context.mailbox.graph.api(cursor).get().catch((e: { statusCode: number; code: string }) => e);
    expect(raw).toMatchObject({ statusCode: 410, code: 'syncStateNotFound' });
  });

  it('lists a series as its master, occurrence stubs completed by the adapter, moved ones as exceptions, cancelled ones as removed', async () => {
    const window = { start: '2031-02-01T00:00:00Z', end: '2031-03-01T00:00:00Z' };
    const series = control().userCreateEvent(email(), {
      subject: 'Weekly',
      location: { displayName: 'Room 1' },
      start: '2031-02-05T09:00:00Z',
      end: '2031-02-05T10:00:00Z',
      attendees: [{ type: 'required', emailAddress: { address: 'ann@customer.example' } }],
      recurrence: weekly(3),
    });
    const raw = await context.mailbox.graph.api(`/me/calendarView/delta?startDateTime=${window.start}&endDateTime=${window.end}`).get();
    const [master, ...stubs] = raw.value;
    expect(master).toMatchObject({ id: series.id, type: 'seriesMaster', recurrence: expect.objectContaining({ pattern: expect.objectContaining({ type: 'weekly' }) }) });
    expect(Object.keys(stubs[0]).sort()).toEqual(['@odata.etag', '@odata.type', 'end', 'id', 'seriesMasterId', 'start', 'type']);

    const first = await readAll(context.mailbox.calendar, { window });
    expect(first.events.map((e) => e.kind)).toEqual(['seriesMaster', 'occurrence', 'occurrence', 'occurrence']);
    const [, second, third] = first.events.filter((e) => e.kind === 'occurrence').sort(byStart);
    expect(second).toMatchObject({ title: 'Weekly', location: 'Room 1', iCalUID: series.iCalUId, seriesMasterId: series.id, originalStart: '2031-02-12T09:00:00.000Z' });
    expect(second!.guests.map((g) => g.email)).toEqual(['ann@customer.example']);

    control().userMoveOccurrence(email(), series.id as string, second!.originalStart!, '2031-02-12T15:00:00Z', '2031-02-12T16:00:00Z');
    control().userCancelOccurrence(email(), series.id as string, third!.originalStart!);
    const changes = await readAll(context.mailbox.calendar, { cursor: first.cursor });
    // Graph lists the moved week alone; the adapter reads its master and lists it first.
    expect(changes.events).toEqual([
      expect.objectContaining({ id: series.id, kind: 'seriesMaster' }),
      expect.objectContaining({ id: second!.id, kind: 'exception', seriesMasterId: series.id, originalStart: second!.originalStart, start: { dateTime: '2031-02-12T15:00:00.000Z', timeZone: 'UTC', allDay: false } }),
      expect.objectContaining({ id: third!.id, removed: true, status: 'cancelled' }),
    ]);
    expect(await context.mailbox.calendar.getEvent(third!.id)).toBeUndefined();
    expect(await context.mailbox.calendar.getEvent(second!.id)).toMatchObject({ kind: 'exception', title: 'Weekly' });

    // Through Graph: PATCH of an occurrence makes it an exception; DELETE cancels it (and mails the guests).
    const firstOne = first.events.filter((e) => e.kind === 'occurrence').sort(byStart)[0]!;
    const patched = await context.mailbox.calendar.patchEvent(firstOne.id, { title: 'Weekly (special)' }, { notify: true });
    expect(patched).toMatchObject({ id: firstOne.id, kind: 'exception', title: 'Weekly (special)', originalStart: firstOne.originalStart });
    control().clearOutbox();
    await context.mailbox.calendar.deleteEvent(firstOne.id, { notify: true });
    expect(control().outbox()).toEqual([{ to: 'ann@customer.example', eventId: series.id, kind: 'cancellation', subject: 'Weekly' }]);
    const after = await readAll(context.mailbox.calendar, { cursor: changes.cursor });
    expect(after.events).toEqual([expect.objectContaining({ id: firstOne.id, removed: true })]);
  });

  it('reports the old instances of a rescheduled series as removed and lists the new ones', async () => {
    const window = { start: '2031-04-01T00:00:00Z', end: '2031-05-01T00:00:00Z' };
    const series = control().userCreateEvent(email(), { subject: 'Moving', start: '2031-04-07T09:00:00Z', end: '2031-04-07T10:00:00Z', recurrence: weekly(2) });
    const first = await readAll(context.mailbox.calendar, { window });
    const oldIds = first.events.filter((e) => e.kind === 'occurrence').map((e) => e.id);
    expect(oldIds).toHaveLength(2);

    control().userUpdateEvent(email(), series.id as string, { start: '2031-04-08T11:00:00Z', end: '2031-04-08T12:00:00Z' });
    const changes = await readAll(context.mailbox.calendar, { cursor: first.cursor });
    const listed = changes.events.filter((e) => e.kind === 'occurrence' && !e.removed);
    expect(listed.map((e) => e.originalStart).sort()).toEqual(['2031-04-08T11:00:00.000Z', '2031-04-15T11:00:00.000Z']);
    expect(changes.events.filter((e) => e.removed).map((e) => e.id).sort()).toEqual([...oldIds].sort());
    expect(listed.some((e) => oldIds.includes(e.id))).toBe(false);
  });

  it("shows an attendee-user the organizer's series with own ids, and a cancelled occurrence as a cancelled exception", async () => {
    const guest = await signIn(context.emulator, 'guest@contoso.example');
    const window = { start: '2032-01-01T00:00:00Z', end: '2032-02-01T00:00:00Z' };
    const series = control().userCreateEvent(email(), {
      subject: 'Team',
      start: '2032-01-06T09:00:00Z',
      end: '2032-01-06T09:30:00Z',
      attendees: [{ type: 'required', emailAddress: { address: guest.email } }],
      recurrence: weekly(2),
    });
    const seen = await readAll(guest.calendar, { window });
    const copy = seen.events.find((e) => e.kind === 'seriesMaster')!;
    expect(copy).toMatchObject({ iCalUID: series.iCalUId, organizer: { email: email(), self: false } });
    expect(copy.id).not.toBe(series.id);
    expect(copy.guests).toEqual([expect.objectContaining({ email: guest.email, self: true })]);

    control().userCancelOccurrence(email(), series.id as string, '2032-01-13T09:00:00Z');
    const changes = await readAll(guest.calendar, { cursor: seen.cursor });
    expect(changes.events).toEqual([
      expect.objectContaining({ id: copy.id, kind: 'seriesMaster' }),
      expect.objectContaining({ kind: 'exception', status: 'cancelled', seriesMasterId: copy.id, originalStart: '2032-01-13T09:00:00.000Z', title: 'Team' }),
    ]);
  });

  it('expands weekly series on several days, daily and monthly ones', async () => {
    const window = { start: '2033-03-01T00:00:00Z', end: '2033-06-01T00:00:00Z' };
    control().userCreateEvent(email(), {
      subject: 'Mon-Wed',
      start: '2033-03-07T08:00:00Z', // a Monday
      end: '2033-03-07T08:15:00Z',
      recurrence: { pattern: { type: 'weekly', interval: 2, daysOfWeek: ['wednesday', 'monday'] }, range: { type: 'endDate', startDate: '2033-03-07', endDate: '2033-03-23' } },
    });
    control().userCreateEvent(email(), { subject: 'Daily', start: '2033-03-10T07:00:00Z', end: '2033-03-10T07:10:00Z', recurrence: { pattern: { type: 'daily', interval: 3 }, range: { type: 'numbered', numberOfOccurrences: 3 } } });
    control().userCreateEvent(email(), { subject: 'Monthly', start: '2033-03-31T12:00:00Z', end: '2033-03-31T13:00:00Z', recurrence: { pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 }, range: { type: 'noEnd' } } });
    const { events } = await readAll(context.mailbox.calendar, { window });
    const starts = (title: string) => events.filter((e) => e.title === title && e.kind === 'occurrence').sort(byStart).map((e) => e.start!.dateTime.slice(0, 10));
    expect(starts('Mon-Wed')).toEqual(['2033-03-07', '2033-03-09', '2033-03-21', '2033-03-23']);
    expect(starts('Daily')).toEqual(['2033-03-10', '2033-03-13', '2033-03-16']);
    expect(starts('Monthly')).toEqual(['2033-03-31', '2033-04-30', '2033-05-31']); // April has no 31st: its last day
    await expect(
      context.mailbox.graph.api('/me/events').post({ subject: 'x', start: at(1, 9), end: at(1, 10), recurrence: { pattern: { type: 'relativeMonthly', interval: 1 }, range: { type: 'noEnd' } } }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('never splits a series across pages', async () => {
    const box = await signIn(context.emulator, 'pages@contoso.example');
    const window = { start: '2034-01-01T00:00:00Z', end: '2034-12-31T00:00:00Z' };
    control().userCreateEvent(box.email, { subject: 'Single', start: '2034-01-02T09:00:00Z', end: '2034-01-02T10:00:00Z' });
    control().userCreateEvent(box.email, { subject: 'Series', start: '2034-01-03T09:00:00Z', end: '2034-01-03T10:00:00Z', recurrence: weekly(4) });
    const url = `/me/calendarView/delta?startDateTime=${window.start}&endDateTime=${window.end}`;
    const first = await box.graph.api(url).header('Prefer', 'odata.maxpagesize=3').get();
    expect(first.value.map((e: { type: string }) => e.type)).toEqual(['singleInstance']);
    const second = await box.graph.api(first['@odata.nextLink']).header('Prefer', 'odata.maxpagesize=3').get();
    expect(second.value.map((e: { type: string }) => e.type)).toEqual(['seriesMaster', 'occurrence', 'occurrence', 'occurrence', 'occurrence']);
    expect(second['@odata.deltaLink']).toBeDefined();
  });
});
