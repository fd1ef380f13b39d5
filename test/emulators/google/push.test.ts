/**
 * Google push contract: `events.watch` channels really POST `sync` then `exists` notifications to a
 * local server, with Google's headers and increasing message numbers; none after stop or expiry;
 * delivery faults (drop, duplicate, delay); retries of 500/502/503/504 answers, and only those.
 */
import type { GoogleEmulator } from '../../../devstack/emulators/google';
import type { CreateChannelRequest } from '../../../providers/types';
import { connectUser, eventAt, rejectionOf, startEmulator, startReceiver, waitFor, type Connected } from './support';

describe('Google emulator: push channels', () => {
  let emulator: GoogleEmulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let seq = 0;

  beforeAll(async () => {
    emulator = await startEmulator({ maxChannelLifetimeSeconds: 24 * 3600 });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await emulator.stop();
    await receiver.close();
  });
  afterEach(() => emulator.control.setNotificationFaults({}));

  const newUser = () => connectUser(emulator, `push${++seq}@portal.example`);
  const request = (channelId: string, hours = 1): CreateChannelRequest => ({
    address: receiver.url,
    channelId,
    secret: `secret-${channelId}`,
    expiresAt: new Date(Date.now() + hours * 3600_000).toISOString(),
  });
  const received = (channelId: string) => receiver.received.filter((n) => n.headers['x-goog-channel-id'] === channelId);
  const receivedCount = (channelId: string, count: number) => waitFor(() => received(channelId).length >= count && received(channelId), `${count} notifications on ${channelId}`);

  it('sends sync on creation, then exists per change, with Google’s headers', async () => {
    const user = await newUser();
    const channel = await user.calendar.createChannel(request('chan-basic'));
    expect(channel).toMatchObject({ id: 'chan-basic', secret: 'secret-chan-basic', resourceId: expect.any(String) });
    const [sync] = await receivedCount('chan-basic', 1);
    expect(sync!.headers).toMatchObject({
      'x-goog-channel-id': 'chan-basic',
      'x-goog-channel-token': 'secret-chan-basic',
      'x-goog-resource-state': 'sync',
      'x-goog-resource-id': channel.resourceId,
      'x-goog-message-number': '1',
    });
    expect(sync!.headers['x-goog-resource-uri']).toBe(`${emulator.rootUrl}calendar/v3/calendars/primary/events?alt=json`);
    expect(Date.parse(sync!.headers['x-goog-channel-expiration'] as string)).toBe(Math.floor(Date.parse(channel.expiresAt) / 1000) * 1000);
    expect(sync!.body).toBe('');

    const event = emulator.control.userCreateEvent(user.email, eventAt(1, 9));
    emulator.control.userUpdateEvent(user.email, event.id as string, { summary: 'Changed' });
    await user.calendar.deleteEvent(event.id as string, { notify: false });
    // Deliveries run concurrently and may arrive out of order, as Google's do: order by message number.
    const all = [...(await receivedCount('chan-basic', 4))].sort((a, b) => Number(a.headers['x-goog-message-number']) - Number(b.headers['x-goog-message-number']));
    expect(all.map((n) => [n.headers['x-goog-message-number'], n.headers['x-goog-resource-state']])).toEqual([
      ['1', 'sync'], ['2', 'exists'], ['3', 'exists'], ['4', 'exists'],
    ]);
    await waitFor(() => emulator.control.channels(user.email)[0]!.delivered === 4, 'delivered count');
  });

  it('notifies the attendee’s channel when the organizer changes a shared event', async () => {
    const organizer = await newUser();
    const attendee = await newUser();
    await attendee.calendar.createChannel(request('chan-attendee'));
    await receivedCount('chan-attendee', 1);
    emulator.control.userCreateEvent(organizer.email, eventAt(2, 9, { attendees: [{ email: attendee.email }] }));
    const [, exists] = await receivedCount('chan-attendee', 2);
    expect(exists!.headers['x-goog-resource-state']).toBe('exists');
  });

  it('stops a channel with its id and resourceId; unknown channels are 404 (fine for the adapter)', async () => {
    const user = await newUser();
    const channel = await user.calendar.createChannel(request('chan-stop'));
    await receivedCount('chan-stop', 1);
    await user.calendar.stopChannel(channel);
    expect(emulator.control.channels(user.email)).toMatchObject([{ id: 'chan-stop', stopped: true, live: false }]);

    const raw = await rejectionOf(user.raw.channels.stop({ requestBody: { id: 'chan-stop', resourceId: channel.resourceId } }, user.auth()));
    expect(raw.response.status).toBe(404);
    await expect(user.calendar.stopChannel(channel)).resolves.toBeUndefined();
    const wrongResource = await rejectionOf(user.raw.channels.stop({ requestBody: { id: 'chan-stop', resourceId: 'other' } }, user.auth()));
    expect(wrongResource.response.status).toBe(404);

    // A change after stop reaches a second, live channel but never the stopped one.
    await user.calendar.createChannel(request('chan-after-stop'));
    emulator.control.userCreateEvent(user.email, eventAt(3, 9));
    await receivedCount('chan-after-stop', 2);
    expect(received('chan-stop')).toHaveLength(1);
  });

  it('renews with a new channel, refuses a reused channel id, and caps the lifetime', async () => {
    const user = await newUser();
    const first = await user.calendar.createChannel(request('chan-renew-1'));
    const second = await user.calendar.renewChannel(first, request('chan-renew-2', 2));
    expect(second.id).toBe('chan-renew-2');
    expect(Date.parse(second.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
    const reused = await rejectionOf(user.calendar.createChannel(request('chan-renew-1')));
    expect(reused).toMatchObject({ kind: 'invalid', details: { status: 400, reason: 'channelIdNotUnique' } });
    const long = await user.calendar.createChannel(request('chan-long', 24 * 30));
    expect(Date.parse(long.expiresAt)).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
  });

  it('sends nothing after expiry', async () => {
    const user = await newUser();
    const channel = await user.calendar.createChannel({ ...request('chan-expiring'), expiresAt: new Date(Date.now() + 300).toISOString() });
    await receivedCount('chan-expiring', 1);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(channel.expiresAt) - Date.now()) + 10));
    await user.calendar.createChannel(request('chan-witness'));
    emulator.control.userCreateEvent(user.email, eventAt(4, 9));
    await receivedCount('chan-witness', 2);
    expect(received('chan-expiring')).toHaveLength(1);
    expect(emulator.control.channels(user.email).find((c) => c.id === 'chan-expiring')).toMatchObject({ expired: true, live: false });
  });

  describe('delivery faults', () => {
    let user: Connected;
    beforeAll(async () => {
      user = await newUser();
      await user.calendar.createChannel(request('chan-faults'));
      await receivedCount('chan-faults', 1);
    });

    it('drops notifications, but message numbers still advance', async () => {
      emulator.control.setNotificationFaults({ drop: true });
      emulator.control.userCreateEvent(user.email, eventAt(5, 9));
      emulator.control.setNotificationFaults({});
      emulator.control.userCreateEvent(user.email, eventAt(5, 10));
      const all = await receivedCount('chan-faults', 2);
      expect(all.map((n) => n.headers['x-goog-message-number'])).toEqual(['1', '3']);
    });

    it('duplicates notifications', async () => {
      const before = received('chan-faults').length;
      emulator.control.setNotificationFaults({ duplicate: true });
      emulator.control.userCreateEvent(user.email, eventAt(5, 11));
      const all = await receivedCount('chan-faults', before + 2);
      const [a, b] = all.slice(before);
      expect(a!.headers['x-goog-message-number']).toBe(b!.headers['x-goog-message-number']);
    });

    it('delays notifications without blocking the API call', async () => {
      const before = received('chan-faults').length;
      emulator.control.setNotificationFaults({ delayMs: 300 });
      const started = Date.now();
      await user.calendar.createEvent(
        { title: 'x', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' }, attendees: [] },
        { clientId: 'delay-test-1' },
      );
      // The call returned before its notification went out: delivery does not hold the API up.
      expect(received('chan-faults')).toHaveLength(before);
      await receivedCount('chan-faults', before + 1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290); // timers and Date.now() may differ by a tick
    });

    it('floods: each notification sent as many times as asked', async () => {
      const before = received('chan-faults').length;
      emulator.control.setNotificationFaults({ copies: 5 });
      emulator.control.userCreateEvent(user.email, eventAt(5, 12));
      const all = await receivedCount('chan-faults', before + 5);
      expect(new Set(all.slice(before).map((n) => n.headers['x-goog-message-number'])).size).toBe(1);
      emulator.control.setNotificationFaults({});
    });

    it('reorders: with jitter, later notifications may arrive first, and every one arrives', async () => {
      const before = received('chan-faults').length;
      emulator.control.setNotificationFaults({ jitterMs: 200 });
      for (let hour = 13; hour < 23; hour++) emulator.control.userCreateEvent(user.email, eventAt(5, hour));
      const all = await receivedCount('chan-faults', before + 10);
      emulator.control.setNotificationFaults({});
      const numbers = all.slice(before).map((n) => Number(n.headers['x-goog-message-number']));
      const sorted = [...numbers].sort((a, b) => a - b);
      expect(sorted).toEqual(Array.from({ length: 10 }, (_, i) => sorted[0]! + i));
      expect(numbers).not.toEqual(sorted); // in order by chance: 1 in 10! runs
    });
  });

  describe('delivery retries', () => {
    /** An emulator of its own on a short schedule, its channel's receiver answering `statuses` in turn. */
    const withReceiver = async (statuses: number[], test: (context: { local: GoogleEmulator; failing: Awaited<ReturnType<typeof startReceiver>>; user: Connected; lines: string[] }) => Promise<void>) => {
      const lines: string[] = [];
      const failing = await startReceiver(...statuses);
      const local = await startEmulator({ log: (line) => lines.push(line) });
      try {
        local.control.configure({ deliveryRetry: { initialDelayMs: 10, maxDelayMs: 40, maxAttempts: 3 } });
        const user = await connectUser(local, 'retries@portal.example');
        await test({ local, failing, user, lines });
      } finally {
        await local.stop();
        await failing.close();
      }
    };
    const channel = (local: GoogleEmulator) => local.control.channels()[0]!;

    it('posts a notification answered 503 again, same message number, until it is answered 200', () =>
      withReceiver([503, 200], async ({ local, failing, user }) => {
        await user.calendar.createChannel({ ...request('chan-retried'), address: failing.url });
        await waitFor(() => channel(local).delivered === 1, 'the retried delivery');
        expect(failing.received.map((n) => [n.headers['x-goog-message-number'], n.headers['x-goog-resource-state']])).toEqual([['1', 'sync'], ['1', 'sync']]);
        expect(failing.received[1]!.headers).toEqual(failing.received[0]!.headers);
        expect(channel(local)).toMatchObject({ delivered: 1, retries: 1, failed: 0 });
      }));

    it('gives up after maxAttempts POSTs, and logs it', () =>
      withReceiver([500], async ({ local, failing, user, lines }) => {
        await user.calendar.createChannel({ ...request('chan-failing'), address: failing.url });
        await waitFor(() => channel(local).failed === 1, 'the notification given up');
        expect(failing.received.map((n) => n.headers['x-goog-message-number'])).toEqual(['1', '1', '1']);
        expect(channel(local)).toMatchObject({ delivered: 0, retries: 2, failed: 1 });
        expect(lines.join('\n')).toMatch(/answered 500; notification dropped after 3 attempts/);
      }));

    it('does not retry a 401: the notification fails at once', () =>
      withReceiver([401, 200], async ({ local, failing, user }) => {
        await user.calendar.createChannel({ ...request('chan-refused'), address: failing.url });
        await waitFor(() => channel(local).failed === 1, 'the refused delivery');
        expect(channel(local)).toMatchObject({ delivered: 0, retries: 0, failed: 1 });
        expect(failing.received).toHaveLength(1);
      }));

    it('refuses a schedule that could not run', () => {
      expect(() => emulator.control.configure({ deliveryRetry: { maxAttempts: 0 } })).toThrow(/maxAttempts/);
      expect(() => emulator.control.configure({ deliveryRetry: { initialDelayMs: -1 } })).toThrow(/delays/);
    });
  });
});
