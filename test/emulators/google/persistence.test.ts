/**
 * Google emulator state across restarts (`stateFile`): a new emulator on the same file — on another
 * port, since nothing the service keeps names the emulator's address — carries on where the first
 * stopped: users, calendars (a series with a moved and a cancelled week, a deleted event, a guest's
 * copy), the outbox, tokens (the refresh token still refreshes), a sync token that lists only later
 * changes, and a push channel that keeps posting, numbered on. After a run that was killed, sync
 * tokens answer 410 (they may point past the file) and grants still work. A corrupt file starts
 * empty, said so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GoogleEmulator } from '../../../devstack/emulators/google';
import { GoogleCalendar } from '../../../providers/google';
import type { CalendarEvent } from '../../../model/calendar-event';
import { authFor, connectUser, eventAt, startEmulator, startReceiver, waitFor } from './support';
import { expectCorruptStateSetAside } from '../corrupt-state';

const WINDOW = { start: '2029-12-01T00:00:00Z', end: '2031-01-01T00:00:00Z' };

/** Every page of a listing: its events and the cursor of its last page. */
async function listAll(calendar: GoogleCalendar, cursor?: string): Promise<{ events: CalendarEvent[]; cursor: string }> {
  const events: CalendarEvent[] = [];
  let page: string | undefined;
  for (;;) {
    const result = await calendar.listChanges({ cursor, page, window: cursor ? undefined : WINDOW });
    events.push(...result.events);
    if (!result.nextPage) return { events, cursor: result.cursor! };
    page = result.nextPage;
  }
}

describe('Google emulator: state kept across restarts', () => {
  let dir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const running: GoogleEmulator[] = [];
  const start = async (options: Parameters<typeof startEmulator>[0]) => {
    const emulator = await startEmulator(options);
    running.push(emulator);
    return emulator;
  };
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'google-emulator-state-'));
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await Promise.all(running.map((emulator) => emulator.stop()));
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const received = (channelId: string) => receiver.received.filter((n) => n.headers['x-goog-channel-id'] === channelId);

  it('carries calendars, grants, sync tokens and push channels over to the next start', async () => {
    const file = path.join(dir, 'google.json');
    const first = await start({ stateFile: file });
    const user = await connectUser(first, 'keeper@portal.example');
    const colleague = 'colleague@portal.example';
    first.control.createUser({ email: colleague });
    const series = first.control.userCreateEvent(user.email, eventAt(1, 9, { recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'], attendees: [{ email: colleague }] }));
    const seriesId = series.id as string;
    first.control.userMoveInstance(user.email, seriesId, '2030-01-09T09:00:00Z', '2030-01-09T15:00:00Z', '2030-01-09T16:00:00Z');
    first.control.userCancelInstance(user.email, seriesId, '2030-01-16T09:00:00Z');
    const deleted = first.control.userCreateEvent(user.email, eventAt(2, 9));
    first.control.userDeleteEvent(user.email, deleted.id as string);
    const invitation = await user.calendar.createEvent(
      { title: 'Intro', start: { dateTime: '2030-02-01T10:00:00Z' }, end: { dateTime: '2030-02-01T10:30:00Z' }, attendees: [{ email: 'ann@customer.example' }] },
      { clientId: '00000000-0000-4000-8000-000000000001' },
    );
    const channel = await user.calendar.createChannel({
      address: receiver.url,
      channelId: 'kept-channel',
      secret: 'kept-secret',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    await waitFor(() => first.control.channels()[0]?.delivered === 1, 'the sync message delivered');
    const { events: listed, cursor } = await listAll(user.calendar);
    expect(listed.map((e) => e.id).sort()).toEqual([seriesId, `${seriesId}_20300109T090000Z`, `${seriesId}_20300116T090000Z`, invitation.id].sort());
    // Saved while running, not only on stop: a crash loses at most the last moments.
    await waitFor(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('kept-channel'), 'the state file written');

    const before = {
      users: first.control.users(),
      events: first.control.listEvents(user.email),
      colleague: first.control.listEvents(colleague),
      outbox: first.control.outbox(),
      channels: first.control.channels(),
    };
    expect(before.outbox).toEqual([{ to: 'ann@customer.example', eventId: invitation.id, kind: 'invitation', summary: 'Intro' }]);
    await first.stop();

    const second = await start({ stateFile: file });
    expect(second.url).not.toBe(first.url);
    expect(second.control.users()).toEqual(before.users);
    expect(second.control.listEvents(user.email)).toEqual(before.events);
    expect(second.control.listEvents(colleague)).toEqual(before.colleague);
    expect(second.control.outbox()).toEqual(before.outbox);
    // The channel is Google's resource, now served from the new address; it still posts to the service's.
    expect(second.control.channels()).toEqual(before.channels.map((c) => ({ ...c, resourceUri: c.resourceUri.replace(first.rootUrl, second.rootUrl) })));

    // The access token from before the restart works until it expires; then the refresh token refreshes.
    let accessToken = user.credentials.accessToken;
    const calendar = new GoogleCalendar({ rootUrl: second.rootUrl, accessToken: async () => accessToken });
    expect((await listAll(calendar, cursor)).events).toEqual([]);
    second.control.expireAccessTokens(user.email);
    await expect(calendar.listChanges({ cursor })).rejects.toMatchObject({ kind: 'authExpired' });
    const refreshed = await authFor(second).refresh(user.credentials);
    expect(refreshed.accessToken).not.toBe(user.credentials.accessToken);
    accessToken = refreshed.accessToken;

    // The sync token from before the restart lists only what changed after it.
    const later = second.control.userCreateEvent(user.email, eventAt(5, 9));
    second.control.userUpdateEvent(user.email, seriesId, { summary: 'Weekly, renamed' });
    const changes = await listAll(calendar, cursor);
    expect(changes.events.map((e) => [e.id, e.title])).toEqual([
      [later.id, later.summary],
      [seriesId, 'Weekly, renamed'],
    ]);
    expect((await listAll(calendar, changes.cursor)).events).toEqual([]);

    // The channel posts the changes, its message numbers going on from before the restart.
    const after = await waitFor(() => received(channel.id).length >= 3 && received(channel.id), 'two notifications after the restart');
    expect(after.map((n) => [n.headers['x-goog-resource-state'], n.headers['x-goog-message-number']]).sort()).toEqual([
      ['exists', '2'],
      ['exists', '3'],
      ['sync', '1'],
    ]);
    expect(after[2]!.headers).toMatchObject({
      'x-goog-channel-token': 'kept-secret',
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': `${second.rootUrl}calendar/v3/calendars/primary/events?alt=json`,
    });
  });

  it('after a run that was killed, refuses its sync tokens (410: read again) and keeps the grants', async () => {
    const file = path.join(dir, 'killed.json');
    const first = await start({ stateFile: file });
    const user = await connectUser(first, 'killed@portal.example');
    const event = first.control.userCreateEvent(user.email, eventAt(1, 9));
    const { cursor } = await listAll(user.calendar);
    await first.stop();
    fs.writeFileSync(`${file}.running`, ''); // what a kill leaves behind: the run's marker

    const second = await start({ stateFile: file });
    const { accessToken } = await authFor(second).refresh(user.credentials);
    const calendar = new GoogleCalendar({ rootUrl: second.rootUrl, accessToken: async () => accessToken });
    await expect(calendar.listChanges({ cursor })).rejects.toMatchObject({ kind: 'cursorInvalidated' });
    expect((await listAll(calendar)).events.map((e) => e.id)).toEqual([event.id]);
  });

  it.each([
    ['cut-off JSON', '{"version":1,"state":{"store":{"instance":'],
    ['a state of the wrong shape', '{"version":1,"state":{"store":{"users":[{"email":"x@portal.example","calendar":{"entries":[{"record":7}]}}]}}}'],
  ])('starts empty from a file holding %s, keeps the file aside and says so', (_what, content) =>
    expectCorruptStateSetAside(start, path.join(dir, `corrupt-${running.length}.json`), content, connectUser, 'after@portal.example'),
  );
});
