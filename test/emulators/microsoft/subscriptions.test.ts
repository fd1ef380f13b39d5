import type { MicrosoftEmulator } from '../../../emulators/microsoft';
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

  it('refuses a subscription whose endpoint does not echo the token, answers too late, or asks for too long', async () => {
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
    await expect(mailbox.calendar.createChannel(request('/long', inMinutes(10_081)))).rejects.toMatchObject({ kind: 'invalid' });
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
});
