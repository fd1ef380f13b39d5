import type { MicrosoftEmulator } from '../../../devstack/emulators/microsoft';
import { signIn, startEmulator, startReceiver, until, type Mailbox, type Receiver } from './support';

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
let day = 0;
/** A fresh event slot per change, so each notification names a distinct event. */
const slot = () => {
  day += 1;
  return { start: new Date(Date.UTC(2030, 2, day, 10)).toISOString(), end: new Date(Date.UTC(2030, 2, day, 11)).toISOString() };
};

describe('Microsoft Graph subscriptions', () => {
  let emulator: MicrosoftEmulator;
  let mailbox: Mailbox;
  let receiver: Receiver;
  beforeAll(async () => {
    emulator = await startEmulator({ validationTimeoutMs: 300 });
    emulator.control.configure({ deliveryRetry: { initialDelayMs: 10, maxDelayMs: 40, maxAttempts: 3 } });
    mailbox = await signIn(emulator, 'push@contoso.example');
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await emulator.stop();
    await receiver.close();
  });
  beforeEach(() => {
    receiver.validation = 'echo';
    emulator.control.setNotificationFaults({});
  });

  const request = (path: string, expiresAt = inMinutes(60)) => ({ address: `${receiver.url}${path}`, lifecycleAddress: `${receiver.url}/lifecycle`, channelId: 'unused', secret: `secret-${path}`, expiresAt });
  const notified = (path: string, eventId?: string) =>
    receiver.received.filter((r) => r.path === path).flatMap((r) => r.body.value).filter((n: { resourceData: { id: string } }) => !eventId || n.resourceData.id === eventId);
  const change = (subject: string) => emulator.control.userCreateEvent(mailbox.email, { subject, ...slot() }).id as string;
  const subscription = (id: string) => emulator.control.subscriptions().find((s) => s.id === id)!;

  it('validates the notification URL, posts every change with the clientState until deleted, and renews in place', async () => {
    const channel = await mailbox.calendar.createChannel(request('/notify'));
    const created = change('Ping');
    await until(() => notified('/notify', created).length === 1, 'a notification');
    expect(notified('/notify', created)[0]).toEqual({
      subscriptionId: channel.id,
      subscriptionExpirationDateTime: channel.expiresAt,
      clientState: 'secret-/notify',
      changeType: 'created',
      resource: expect.stringMatching(new RegExp(`^Users/[0-9a-f-]+/Events/${created}$`)),
      resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': expect.any(String), id: created },
      tenantId: expect.any(String),
    });
    emulator.control.userUpdateEvent(mailbox.email, created, { subject: 'Pong' });
    emulator.control.userDeleteEvent(mailbox.email, created);
    await until(() => notified('/notify', created).length === 3, 'update and delete notifications');
    expect(notified('/notify', created).map((n: { changeType: string }) => n.changeType)).toEqual(['created', 'updated', 'deleted']);

    const renewed = await mailbox.calendar.renewChannel(channel, request('/notify', inMinutes(120)));
    expect(renewed.id).toBe(channel.id);
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(channel.expiresAt));
    const raw = await mailbox.graph.api(`/subscriptions/${channel.id}`).get();
    expect(raw).toMatchObject({ id: channel.id, resource: 'me/events', changeType: 'created,updated,deleted', expirationDateTime: renewed.expiresAt });

    // Stopped: a witness subscription, made after, hears the next change; the stopped one never does.
    await mailbox.calendar.stopChannel(channel);
    await mailbox.calendar.stopChannel(channel); // already gone is fine
    await mailbox.calendar.createChannel(request('/witness'));
    const silent = change('Silent');
    await until(() => notified('/witness', silent).length === 1, 'the witness notification');
    expect(notified('/notify', silent)).toHaveLength(0);
    await expect(mailbox.graph.api(`/subscriptions/${channel.id}`).get()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('refuses a subscription whose endpoint does not echo the token or answers too late', async () => {
    receiver.validation = 'wrong';
    await expect(mailbox.calendar.createChannel(request('/bad'))).rejects.toMatchObject({ kind: 'invalid' });
    const raw = await mailbox.graph
      .api('/subscriptions')
      .post({ changeType: 'created', notificationUrl: `${receiver.url}/bad`, resource: '/me/events', expirationDateTime: inMinutes(30) })
      .catch((e: unknown) => e);
    expect(raw).toMatchObject({ statusCode: 400, code: 'ValidationError' });
    receiver.validation = 'hang';
    await expect(mailbox.calendar.createChannel(request('/slow'))).rejects.toMatchObject({ kind: 'invalid' });
    receiver.validation = 'echo';
    const before = emulator.control.subscriptions(mailbox.email).length;
    await expect(mailbox.calendar.createChannel(request('/fine', inMinutes(10_079)))).resolves.toMatchObject({ id: expect.any(String) });
    expect(emulator.control.subscriptions(mailbox.email)).toHaveLength(before + 1);
  });

  it('validates the lifecycle URL too, and refuses adding it by PATCH', async () => {
    const withoutLifecycle = await mailbox.graph
      .api('/subscriptions')
      .post({ changeType: 'created,updated,deleted', notificationUrl: `${receiver.url}/plain`, resource: 'me/calendar/events', expirationDateTime: inMinutes(30), clientState: 'x' });
    await expect(mailbox.graph.api(`/subscriptions/${withoutLifecycle.id}`).patch({ expirationDateTime: inMinutes(40), lifecycleNotificationUrl: `${receiver.url}/lifecycle` })).rejects.toMatchObject({
      statusCode: 400,
    });
    const validated = receiver.received.length;
    receiver.validation = 'wrong';
    await expect(
      mailbox.graph.api('/subscriptions').post({ changeType: 'created', notificationUrl: `${receiver.url}/n`, lifecycleNotificationUrl: `${receiver.url}/l`, resource: 'me/events', expirationDateTime: inMinutes(30) }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'ValidationError' });
    expect(receiver.received.length).toBe(validated); // handshakes are not notifications
  });

  it('sends lifecycle notifications; subscriptionRemoved ends the subscription', async () => {
    const channel = await mailbox.calendar.createChannel(request('/cycle'));
    emulator.control.sendLifecycle(channel.id, 'reauthorizationRequired');
    emulator.control.sendLifecycle(channel.id, 'missed');
    emulator.control.sendLifecycle(channel.id, 'subscriptionRemoved');
    const lifecycle = () => receiver.received.filter((r) => r.path === '/lifecycle').flatMap((r) => r.body.value).filter((n: { subscriptionId: string }) => n.subscriptionId === channel.id);
    await until(() => lifecycle().length === 3, 'lifecycle notifications');
    expect(lifecycle().map((n: { lifecycleEvent: string }) => n.lifecycleEvent).sort()).toEqual(['missed', 'reauthorizationRequired', 'subscriptionRemoved']);
    expect(lifecycle()[0]).toMatchObject({ clientState: 'secret-/cycle', subscriptionExpirationDateTime: channel.expiresAt, tenantId: expect.any(String) });
    expect(emulator.control.subscriptions(mailbox.email).find((s) => s.id === channel.id)!.live).toBe(false);
    await expect(mailbox.calendar.renewChannel(channel, request('/cycle'))).rejects.toMatchObject({ kind: 'notFound' });
  });

  it('drops, duplicates or delays notifications on request', async () => {
    await mailbox.calendar.createChannel(request('/faults'));
    emulator.control.setNotificationFaults({ drop: true });
    const lost = change('Lost');
    emulator.control.setNotificationFaults({ duplicate: true });
    const twice = change('Twice');
    await until(() => notified('/faults', twice).length === 2, 'two copies');
    expect(notified('/faults', lost)).toHaveLength(0); // dropped when sent, before the later one went out

    emulator.control.setNotificationFaults({ delayMs: 250 });
    const changedAt = Date.now();
    const late = change('Late');
    await until(() => notified('/faults', late).length === 1, 'the delayed notification');
    const arrival = receiver.received.find((r) => r.path === '/faults' && r.body.value[0].resourceData.id === late)!.at;
    expect(arrival - changedAt).toBeGreaterThanOrEqual(240);
  });

  it('stops notifying once a subscription expires', async () => {
    const channel = await mailbox.calendar.createChannel(request('/short', new Date(Date.now() + 1500).toISOString()));
    await until(() => Date.now() > Date.parse(channel.expiresAt), 'the expiry', 3_000);
    await mailbox.calendar.createChannel(request('/witness2'));
    const after = change('After expiry');
    await until(() => notified('/witness2', after).length === 1, 'the witness notification');
    expect(notified('/short', after)).toHaveLength(0);
  });
  it('posts a notification again, unchanged, until it is answered 2xx: 5xx and 4xx alike', async () => {
    const channel = await mailbox.calendar.createChannel(request('/retry'));
    receiver.answers.set('/retry', [503, 401]);
    const created = change('Retried');
    await until(() => subscription(channel.id).delivered === 1, 'the retried delivery');
    const copies = receiver.received.filter((r) => r.path === '/retry').map((r) => r.body);
    expect(copies).toEqual([copies[0], copies[0], copies[0]]);
    expect(copies[0].value[0].resourceData.id).toBe(created);
    expect(subscription(channel.id)).toMatchObject({ delivered: 1, retries: 2, failed: 0 });
  });

  it('gives up on a notification after maxAttempts POSTs', async () => {
    const channel = await mailbox.calendar.createChannel(request('/down'));
    receiver.answers.set('/down', [500, 502, 503]);
    const lost = change('Lost for good');
    await until(() => subscription(channel.id).failed === 1, 'the notification given up');
    expect(notified('/down', lost)).toHaveLength(3);
    expect(subscription(channel.id)).toMatchObject({ delivered: 0, retries: 2, failed: 1 });
  });

  it('retries a notification whose endpoint cannot be reached', async () => {
    const gone = await startReceiver();
    const channel = await mailbox.calendar.createChannel({ ...request('/gone'), address: `${gone.url}/gone` });
    await gone.close();
    change('Nobody home');
    await until(() => subscription(channel.id).failed === 1, 'the notification given up');
    expect(subscription(channel.id)).toMatchObject({ delivered: 0, retries: 2, failed: 1 });
  });

  it('refuses an expiry beyond the maximum in Graph’s words, once lowered too, and takes one within it', async () => {
    const body = { changeType: 'created', notificationUrl: `${receiver.url}/max`, resource: 'me/events', clientState: 's' };
    const refusal = (minutes: number) => ({ statusCode: 400, code: 'ExtensionError', message: `Subscription expiration can only be ${minutes} minutes in the future.` });
    await expect(mailbox.graph.api('/subscriptions').post({ ...body, expirationDateTime: inMinutes(10_081) })).rejects.toMatchObject(refusal(10_080));
    emulator.control.configure({ maxSubscriptionMinutes: 4230 });
    try {
      await expect(mailbox.graph.api('/subscriptions').post({ ...body, expirationDateTime: inMinutes(4231) })).rejects.toMatchObject(refusal(4230));
      const channel = await mailbox.calendar.createChannel(request('/max', inMinutes(4229)));
      await expect(mailbox.graph.api(`/subscriptions/${channel.id}`).patch({ expirationDateTime: inMinutes(4231) })).rejects.toMatchObject(refusal(4230));
    } finally {
      emulator.control.configure({ maxSubscriptionMinutes: 10_080 });
    }
  });

  it('lists the signed-in user’s live subscriptions, rendered as GET renders them but without clientState', async () => {
    const lister = await signIn(emulator, 'lister@contoso.example');
    const kept = await lister.calendar.createChannel(request('/kept'));
    await lister.calendar.stopChannel(await lister.calendar.createChannel(request('/stopped')));
    const expiring = await lister.calendar.createChannel(request('/expiring', new Date(Date.now() + 1000).toISOString()));
    await until(() => Date.now() > Date.parse(expiring.expiresAt), 'the expiry', 3_000);
    const single = await lister.graph.api(`/subscriptions/${kept.id}`).get();
    const before = emulator.control.callCounts()['subscriptions.list'] ?? 0;
    await expect(lister.graph.api('/subscriptions').get()).resolves.toEqual({ value: [{ ...single, clientState: null }] });
    expect(single.clientState).toBe('secret-/kept');
    expect(emulator.control.callCounts()['subscriptions.list']).toBe(before + 1);
  });

  it('the adapter asks once more, shorter, when Graph refuses the expiry, on create and on renewal', async () => {
    emulator.control.configure({ maxSubscriptionMinutes: 4230 });
    try {
      const calls = () => emulator.control.callCounts();
      const createsBefore = calls()['subscriptions.create'] ?? 0;
      const channel = await mailbox.calendar.createChannel(request('/shorter', inMinutes(7 * 24 * 60)));
      expect(calls()['subscriptions.create']).toBe(createsBefore + 2);
      expect(Date.parse(channel.expiresAt)).toBeLessThanOrEqual(Date.parse(inMinutes(4230)));
      const renewsBefore = calls()['subscriptions.update'] ?? 0;
      const renewed = await mailbox.calendar.renewChannel(channel, request('/shorter', inMinutes(7 * 24 * 60)));
      expect(calls()['subscriptions.update']).toBe(renewsBefore + 2);
      expect(renewed.id).toBe(channel.id);
      expect(Date.parse(renewed.expiresAt)).toBeLessThanOrEqual(Date.parse(inMinutes(4230)));
    } finally {
      emulator.control.configure({ maxSubscriptionMinutes: 10_080 });
    }
  });

  it('the adapter deletes subscriptions to our address that the service has no record of', async () => {
    const owner = await signIn(emulator, 'orphans@contoso.example');
    const recorded = await owner.calendar.createChannel(request('/ours'));
    const orphan = await owner.calendar.createChannel(request('/ours'));
    const elsewhere = await owner.calendar.createChannel(request('/theirs'));
    const stopped = await owner.calendar.stopUnrecordedChannels({ address: request('/ours').address, candidateIds: [], keep: [recorded.id] });
    expect(stopped).toBe(1);
    const live = emulator.control.subscriptions('orphans@contoso.example').filter((s) => s.live).map((s) => s.id);
    expect(live.sort()).toEqual([recorded.id, elsewhere.id].sort());
    expect(live).not.toContain(orphan.id);
  });
});
