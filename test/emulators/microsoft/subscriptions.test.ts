import type { MicrosoftEmulator } from '../../../emulators/microsoft';
import { signIn, startEmulator, startReceiver, until, type Mailbox, type Receiver } from './support';

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe('Microsoft Graph subscriptions', () => {
  let emulator: MicrosoftEmulator;
  let mailbox: Mailbox;
  let receiver: Receiver;
  beforeAll(async () => {
    emulator = await startEmulator();
    mailbox = await signIn(emulator, 'push@contoso.example');
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await emulator.stop();
    await receiver.close();
  });
  const request = (expiresAt = inMinutes(60)) => ({ address: `${receiver.url}/notify`, lifecycleAddress: `${receiver.url}/lifecycle`, channelId: 'unused', secret: 's3cret', expiresAt });

  it('validates the notification URL, then posts every change with the clientState until deleted', async () => {
    const channel = await mailbox.calendar.createChannel(request());
    const created = emulator.control.userCreateEvent(mailbox.email, { subject: 'Ping', start: '2030-03-01T10:00:00Z', end: '2030-03-01T11:00:00Z' });
    await until(() => receiver.received.some((r) => r.path === '/notify'), 'a notification');
    const [item] = receiver.received.find((r) => r.path === '/notify')!.body.value;
    expect(item).toMatchObject({ subscriptionId: channel.id, clientState: 's3cret', changeType: 'created', resourceData: { id: created.id } });

    const renewed = await mailbox.calendar.renewChannel(channel, request(inMinutes(120)));
    expect(renewed.id).toBe(channel.id);
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(channel.expiresAt));

    await mailbox.calendar.stopChannel(channel);
    const before = receiver.received.length;
    emulator.control.userCreateEvent(mailbox.email, { subject: 'Silent', start: '2030-03-02T10:00:00Z', end: '2030-03-02T11:00:00Z' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received.length).toBe(before);
  });

  it('refuses a subscription whose endpoint does not echo the token, or that asks for too long', async () => {
    receiver.echo = false;
    await expect(mailbox.calendar.createChannel(request())).rejects.toMatchObject({ kind: 'invalid' });
    receiver.echo = true;
    await expect(mailbox.calendar.createChannel(request(inMinutes(20_000)))).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('sends lifecycle notifications; subscriptionRemoved ends the subscription', async () => {
    const channel = await mailbox.calendar.createChannel(request());
    emulator.control.sendLifecycle(channel.id, 'reauthorizationRequired');
    emulator.control.sendLifecycle(channel.id, 'subscriptionRemoved');
    await until(() => receiver.received.filter((r) => r.path === '/lifecycle').length >= 2, 'lifecycle notifications');
    const events = receiver.received.filter((r) => r.path === '/lifecycle').map((r) => r.body.value[0].lifecycleEvent);
    expect(events).toEqual(expect.arrayContaining(['reauthorizationRequired', 'subscriptionRemoved']));
    expect(emulator.control.subscriptions(mailbox.email).find((s) => s.id === channel.id)!.live).toBe(false);
  });

  it('drops or duplicates notifications on request', async () => {
    await mailbox.calendar.createChannel(request());
    const count = () => receiver.received.filter((r) => r.path === '/notify').length;
    emulator.control.setNotificationFaults({ drop: true });
    const before = count();
    emulator.control.userCreateEvent(mailbox.email, { subject: 'Lost', start: '2030-03-03T10:00:00Z', end: '2030-03-03T11:00:00Z' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(count()).toBe(before);
    emulator.control.setNotificationFaults({ duplicate: true });
    emulator.control.userCreateEvent(mailbox.email, { subject: 'Twice', start: '2030-03-04T10:00:00Z', end: '2030-03-04T11:00:00Z' });
    await until(() => count() === before + 2, 'two copies');
    emulator.control.setNotificationFaults({});
  });
});
