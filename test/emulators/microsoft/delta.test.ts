import { at, readAll, useMailbox, WINDOW } from './support';

describe('Microsoft Graph calendarView delta', () => {
  const context = useMailbox('delta@contoso.example');

  it('pages a window with nextLinks, ends with a deltaLink, then lists only changes with @removed', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) ids.push(context.emulator.control.userCreateEvent(context.mailbox.email, { subject: `E${i}`, start: at(i % 300, 9), end: at(i % 300, 10) }).id as string);
    const first = await readAll(context.mailbox.calendar, { window: WINDOW });
    expect(first.events).toHaveLength(150);
    expect(first.pages).toBe(2); // the adapter asks for pages of 100
    expect(first.cursor).toContain('$deltatoken=');

    context.emulator.control.userUpdateEvent(context.mailbox.email, ids[0]!, { subject: 'Renamed' });
    context.emulator.control.userDeleteEvent(context.mailbox.email, ids[1]!);
    context.emulator.control.userCreateEvent(context.mailbox.email, { subject: 'Outside', start: at(900, 9), end: at(900, 10) });
    const changes = await readAll(context.mailbox.calendar, { cursor: first.cursor });
    expect(changes.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: ids[0], title: 'Renamed', status: 'confirmed' }),
        expect.objectContaining({ id: ids[1], removed: true, status: 'cancelled' }),
      ]),
    );
    expect(changes.events.some((e) => e.title === 'Outside')).toBe(false);

    const quiet = await readAll(context.mailbox.calendar, { cursor: changes.cursor });
    expect(quiet.events).toHaveLength(0);
  });

  it('answers an invalidated delta token with 410, seen as cursorInvalidated', async () => {
    const { cursor } = await readAll(context.mailbox.calendar, { window: WINDOW });
    context.emulator.control.invalidateDeltaTokens(context.mailbox.email);
    await expect(context.mailbox.calendar.listChanges({ cursor })).rejects.toMatchObject({ kind: 'cursorInvalidated' });
  });

  it('lists occurrences of a series with their master, moved ones as exceptions, cancelled ones as removed', async () => {
    const series = context.emulator.control.userCreateEvent(context.mailbox.email, {
      subject: 'Weekly',
      start: at(400, 9),
      end: at(400, 10),
      recurrence: { pattern: { type: 'weekly', interval: 1 }, range: { type: 'numbered', numberOfOccurrences: 3 } },
    });
    const window = { start: '2031-02-01T00:00:00Z', end: '2031-03-01T00:00:00Z' };
    const first = await readAll(context.mailbox.calendar, { window });
    const weekly = first.events.filter((e) => e.title === 'Weekly');
    expect(weekly.map((e) => e.kind).sort()).toEqual(['occurrence', 'occurrence', 'occurrence', 'seriesMaster']);
    const [, second, third] = weekly.filter((e) => e.kind === 'occurrence').sort((a, b) => a.start!.dateTime.localeCompare(b.start!.dateTime));

    context.emulator.control.userMoveOccurrence(context.mailbox.email, series.id as string, second!.originalStart!, '2031-02-12T15:00:00Z', '2031-02-12T16:00:00Z');
    context.emulator.control.userCancelOccurrence(context.mailbox.email, series.id as string, third!.originalStart!);
    const changes = await readAll(context.mailbox.calendar, { cursor: first.cursor });
    expect(changes.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: second!.id, kind: 'exception', seriesMasterId: series.id, originalStart: second!.originalStart, start: expect.objectContaining({ dateTime: '2031-02-12T15:00:00.000Z' }) }),
        expect.objectContaining({ id: third!.id, removed: true }),
      ]),
    );
  });
});
