/**
 * Microsoft Graph lifecycle notifications end to end (SPEC §3): `missed` runs a sync,
 * `subscriptionRemoved` makes a new subscription, `reauthorizationRequired` renews the expiry in place.
 */
import { calendarActions, inDays } from '../../devstack/emulators/calendar-actions';
import { SyncHarness, waitFor } from '../support/sync-harness';

describe('Graph lifecycle notifications', () => {
  let harness: SyncHarness;
  beforeAll(async () => {
    harness = await SyncHarness.start({ SYNC_POLL_INTERVAL: '1h' });
  });
  afterAll(() => harness.close());

  const calendar = () => calendarActions(harness, 'MICROSOFT');
  const subscription = async (email: string) => (await calendar().liveChannels(email))[0]!;

  it('syncs on `missed`: changes whose notifications were lost arrive', async () => {
    const { account, user, contactEmail, contactId } = await harness.connectedUser('MICROSOFT', 'missed');
    calendar().dropNotifications(true);
    await calendar().createEvent(user.email, { title: 'Missed change', start: inDays(3, 9), end: inDays(3, 10), guests: [contactEmail] });
    calendar().dropNotifications(false);
    harness.microsoft.control.sendLifecycle((await subscription(user.email)).id, 'missed');
    await waitFor(async () => (await harness.timeline(account, contactId)).some((m) => m.title === 'Missed change'), 'the missed change');
  });

  it('recreates a removed subscription and keeps receiving changes', async () => {
    const { account, user, contactEmail, contactId } = await harness.connectedUser('MICROSOFT', 'removed');
    const removed = await subscription(user.email);
    harness.microsoft.control.sendLifecycle(removed.id, 'subscriptionRemoved');
    const replacement = await waitFor(async () => {
      const live = await calendar().liveChannels(user.email);
      return live.length === 1 && live[0]!.id !== removed.id ? live[0] : undefined;
    }, 'a new subscription');
    await waitFor(async () => (await harness.connection(account, user.id)).channelExpiresAt === replacement!.expiresAt, 'the status to show it');
    await calendar().createEvent(user.email, { title: 'After recreation', start: inDays(4, 9), end: inDays(4, 10), guests: [contactEmail] });
    await waitFor(async () => (await harness.timeline(account, contactId)).some((m) => m.title === 'After recreation'), 'a change pushed through the new subscription');
  });

  it('renews in place on `reauthorizationRequired`', async () => {
    const { user } = await harness.connectedUser('MICROSOFT', 'reauth');
    const before = await subscription(user.email);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // so the renewed expiry is visibly later
    harness.microsoft.control.sendLifecycle(before.id, 'reauthorizationRequired');
    await waitFor(async () => {
      const after = await subscription(user.email);
      return after.id === before.id && after.expiresAt > before.expiresAt;
    }, 'the renewed expiry');
  });
});
