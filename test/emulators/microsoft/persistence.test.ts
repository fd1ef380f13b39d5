/**
 * Microsoft emulator state across restarts (`stateFile`): a new emulator on the same file carries on
 * where the first stopped: mailboxes (same oids, which MSAL's cache names), calendars (a series with
 * a moved and a cancelled occurrence, a deleted event), the outbox, tokens (MSAL's refresh still
 * works), a delta link that lists only later changes, and a subscription that keeps posting. It comes
 * back on the same port: a delta link is an absolute URL, and MSAL's cache names its authority's host.
 * After a run that was killed, delta links answer 410 (they may point past the file) and grants still
 * work. A corrupt file starts empty, said so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MicrosoftEmulator } from '../../../devstack/emulators/microsoft';
import { authOf, readAll, signIn, startEmulator, startReceiver, until, WINDOW, type Mailbox, type Receiver } from './support';
import { expectCorruptStateSetAside } from '../corrupt-state';

const weekly = (weeks: number) => ({ pattern: { type: 'weekly', interval: 1 }, range: { type: 'numbered', numberOfOccurrences: weeks } });

describe('Microsoft emulator: state kept across restarts', () => {
  let dir: string;
  let receiver: Receiver;
  const running: MicrosoftEmulator[] = [];
  const start = async (options: Parameters<typeof startEmulator>[0]) => {
    const emulator = await startEmulator(options);
    running.push(emulator);
    return emulator;
  };
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microsoft-emulator-state-'));
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await Promise.all(running.map((emulator) => emulator.stop()));
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The client's kept-alive connections died with the old server: like any client of a restarted
   * server, its first calls may fail as transient (the service retries those) until a new one is made.
   */
  const dropDeadConnections = async (mailbox: Mailbox) => {
    for (let attempt = 0; attempt < 3; attempt++) if (await mailbox.calendar.getEvent('none').then(() => true, () => false)) return;
  };
  const notified = () => receiver.received.filter((r) => r.path === '/notify').flatMap((r) => r.body.value);

  it('carries mailboxes, grants, delta links and subscriptions over to the next start', async () => {
    const file = path.join(dir, 'microsoft.json');
    const first = await start({ stateFile: file });
    const mailbox = await signIn(first, 'keeper@contoso.example');
    const colleague = 'colleague@contoso.example';
    first.control.createUser({ email: colleague });
    const series = first.control.userCreateEvent(mailbox.email, {
      subject: 'Weekly',
      start: '2030-02-05T09:00:00Z',
      end: '2030-02-05T10:00:00Z',
      attendees: [{ type: 'required', emailAddress: { address: colleague } }],
      recurrence: weekly(4),
    });
    const seriesId = series.id as string;
    first.control.userMoveOccurrence(mailbox.email, seriesId, '2030-02-12T09:00:00Z', '2030-02-12T15:00:00Z', '2030-02-12T16:00:00Z');
    first.control.userCancelOccurrence(mailbox.email, seriesId, '2030-02-19T09:00:00Z');
    const deleted = first.control.userCreateEvent(mailbox.email, { subject: 'Gone', start: '2030-02-06T09:00:00Z', end: '2030-02-06T10:00:00Z' });
    first.control.userDeleteEvent(mailbox.email, deleted.id as string);
    const invitation = await mailbox.calendar.createEvent(
      { title: 'Intro', start: { dateTime: '2030-03-01T10:00:00Z' }, end: { dateTime: '2030-03-01T10:30:00Z' }, attendees: [{ email: 'ann@customer.example' }] },
      { clientId: '00000000-0000-4000-8000-000000000001' },
    );
    const { cursor } = await readAll(mailbox.calendar, { window: WINDOW });
    const channel = await mailbox.calendar.createChannel({
      address: `${receiver.url}/notify`,
      channelId: 'unused',
      secret: 'kept-secret',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    // Saved while running, not only on stop: a crash loses at most the last moments.
    await until(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(channel.id), 'the state file written');

    const before = {
      users: first.control.users(),
      events: first.control.listEvents(mailbox.email),
      colleague: first.control.listEvents(colleague),
      outbox: first.control.outbox(),
      subscriptions: first.control.subscriptions(),
    };
    expect(before.outbox).toEqual([{ to: 'ann@customer.example', eventId: invitation.id, kind: 'invitation', subject: 'Intro' }]);
    await first.stop();

    const second = await start({ stateFile: file, port: Number(new URL(first.url).port) });
    expect(second.url).toBe(first.url);
    expect(second.control.users()).toEqual(before.users);
    expect(second.control.listEvents(mailbox.email)).toEqual(before.events);
    expect(second.control.listEvents(colleague)).toEqual(before.colleague);
    expect(second.control.outbox()).toEqual(before.outbox);
    expect(second.control.subscriptions()).toEqual(before.subscriptions);

    await dropDeadConnections(mailbox);

    // The access token from before the restart works until it expires; then MSAL refreshes from its cache.
    expect((await readAll(mailbox.calendar, { cursor })).events).toEqual([]);
    second.control.expireAccessTokens(mailbox.email);
    await expect(mailbox.calendar.listChanges({ cursor })).rejects.toMatchObject({ kind: 'authExpired' });
    mailbox.credentials = await authOf(second).refresh(mailbox.credentials);

    // The delta link from before the restart lists only what changed after it.
    const later = second.control.userCreateEvent(mailbox.email, { subject: 'Later', start: '2030-04-01T09:00:00Z', end: '2030-04-01T10:00:00Z' });
    second.control.userUpdateEvent(mailbox.email, invitation.id, { subject: 'Intro, renamed' });
    const changes = await readAll(mailbox.calendar, { cursor });
    expect(changes.events.map((e) => [e.id, e.title])).toEqual([
      [later.id, 'Later'],
      [invitation.id, 'Intro, renamed'],
    ]);
    expect((await readAll(mailbox.calendar, { cursor: changes.cursor })).events).toEqual([]);

    // The subscription posts both changes with its clientState.
    await until(() => notified().length === 2, 'two notifications after the restart');
    expect(notified().map((n) => [n.subscriptionId, n.clientState, n.changeType, n.resourceData.id])).toEqual([
      [channel.id, 'kept-secret', 'created', later.id],
      [channel.id, 'kept-secret', 'updated', invitation.id],
    ]);
  });

  it('after a run that was killed, refuses its delta links (410: read again) and keeps the grants', async () => {
    const file = path.join(dir, 'killed.json');
    const first = await start({ stateFile: file });
    const mailbox = await signIn(first, 'killed@contoso.example');
    const event = first.control.userCreateEvent(mailbox.email, { subject: 'Kept', start: '2030-02-05T09:00:00Z', end: '2030-02-05T10:00:00Z' });
    const { cursor } = await readAll(mailbox.calendar, { window: WINDOW });
    await first.stop();
    fs.writeFileSync(`${file}.running`, ''); // what a kill leaves behind: the run's marker

    const second = await start({ stateFile: file, port: Number(new URL(first.url).port) });
    await dropDeadConnections(mailbox);
    mailbox.credentials = await authOf(second).refresh(mailbox.credentials);
    await expect(mailbox.calendar.listChanges({ cursor })).rejects.toMatchObject({ kind: 'cursorInvalidated' });
    expect((await readAll(mailbox.calendar, { window: WINDOW })).events.map((e) => e.id)).toEqual([event.id]);
  });

  it.each([
    ['cut-off JSON', '{"version":1,"state":{"store":{"mailboxes":[{"email":'],
    ['a state of the wrong shape', '{"version":1,"state":{"store":{"clockMs":1,"mailboxes":[{"email":"x@contoso.example","events":7}]}}}'],
  ])('starts empty from a file holding %s, keeps the file aside and says so', (_what, content) =>
    expectCorruptStateSetAside(start, path.join(dir, `corrupt-${running.length}.json`), content, signIn, 'after@contoso.example'),
  );
});
