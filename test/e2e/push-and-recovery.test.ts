/**
 * The connection workflow end to end, for both providers (issue 4 "Done when"): push reaches the
 * timeline without the poll, forged webhooks are refused, tokens are refreshed mid-sync, a dead grant
 * moves to NEEDS_REAUTH and a reconnect resumes the same workflow, an invalidated cursor resyncs without
 * duplicates, and continue-as-new loses no notification. The fallback poll is an hour here, so
 * anything that arrives did so by push.
 */
import { openProviderSession } from '../../activities/provider-session';
import { connectionWorkflowId } from '../../workflows/connection-messages';
import { calendarActions, E2E_PROVIDERS, inDays, type CalendarActions } from '../../devstack/emulators/calendar-actions';
import { SyncHarness, waitFor, type TestAccount } from '../support/sync-harness';

describe.each(E2E_PROVIDERS)('connection workflow on %s', (provider) => {
  let harness: SyncHarness;
  let calendar: CalendarActions;
  beforeAll(async () => {
    harness = await SyncHarness.start({ SYNC_POLL_INTERVAL: '1h', RECONCILE_INTERVAL: '24h' });
    calendar = calendarActions(harness, provider);
  });
  afterAll(() => harness.close());

  const connectedUser = (label: string) => harness.connectedUser(provider, label);

  const meetingsTitled = async (account: TestAccount, contactId: string, title: string) =>
    (await harness.timeline(account, contactId)).filter((meeting) => meeting.title === title);

  it('brings a change made in the calendar to the contact timeline by push', async () => {
    const { account, user, contactEmail, contactId } = await connectedUser('push');
    await calendar.createEvent(user.email, { title: 'Pushed demo', start: inDays(2, 10), end: inDays(2, 11), guests: [contactEmail] });
    const [meeting] = await waitFor(async () => {
      const found = await meetingsTitled(account, contactId, 'Pushed demo');
      return found.length ? found : undefined;
    }, 'the pushed meeting on the timeline');
    expect(meeting).toMatchObject({ status: 'SCHEDULED', source: 'CALENDAR', startAt: inDays(2, 10) });
    expect(meeting.attendees.map((a: { email: string }) => a.email)).toContain(contactEmail);
    // Operators see the provider calls behind it, by operation and outcome.
    const calls = (await harness.deps.metrics.providerCalls.get()).values.filter(
      (v) => v.metricName === 'calendar_provider_call_duration_seconds_count' && v.labels.provider === provider && v.labels.operation === 'listChanges' && v.labels.outcome === 'ok',
    );
    expect(calls[0]?.value).toBeGreaterThan(0);
    // ... and how long a notification took to reach the CRM.
    await waitFor(async () => {
      const latency = (await harness.deps.metrics.notificationToSync.get()).values.find((v) => v.metricName === 'calendar_notification_to_sync_seconds_count' && v.labels.provider === provider);
      return (latency?.value ?? 0) > 0;
    }, 'the notification → sync latency observed');
  });

  it('refuses forged webhooks and signals nothing', async () => {
    const { account, user } = await connectedUser('forged');
    const before = await harness.connection(account, user.id);
    const channel = (await calendar.liveChannels(user.email))[0]!;
    if (provider === 'GOOGLE') {
      const unknown = await harness.http().post('/webhooks/google').set({ 'X-Goog-Channel-ID': 'not-a-channel', 'X-Goog-Channel-Token': 'x', 'X-Goog-Resource-State': 'exists' });
      expect(unknown.status).toBe(401);
      const wrongToken = await harness.http().post('/webhooks/google').set({ 'X-Goog-Channel-ID': channel.id, 'X-Goog-Channel-Token': 'guessed', 'X-Goog-Resource-State': 'exists' });
      expect(wrongToken.status).toBe(401);
    } else {
      const wrongState = await harness.http().post('/webhooks/microsoft').send({ value: [{ subscriptionId: channel.id, clientState: 'guessed', changeType: 'updated' }] });
      expect(wrongState.status).toBe(401);
      const unknown = await harness.http().post('/webhooks/microsoft/lifecycle').send({ value: [{ subscriptionId: 'nope', clientState: 'x', lifecycleEvent: 'missed' }] });
      expect(unknown.status).toBe(401);
      const handshake = await harness.http().post('/webhooks/microsoft?validationToken=abc%20123');
      expect(handshake.status).toBe(200);
      expect(handshake.headers['content-type']).toMatch(/^text\/plain/);
      expect(handshake.text).toBe('abc 123');
    }
    const history = await harness.temporal.workflow.getHandle(connectionWorkflowId(before.id)).fetchHistory();
    const signals = history.events!.filter((event) => event.workflowExecutionSignaledEventAttributes);
    expect(signals).toHaveLength(0);
  });

  it('refreshes an expired access token in the middle of a sync', async () => {
    const { account, user, contactEmail, contactId } = await connectedUser('refresh');
    const refreshesBefore = calendar.calls('token');
    calendar.expireAccessTokens(user.email);
    await calendar.createEvent(user.email, { title: 'After expiry', start: inDays(3, 9), end: inDays(3, 10), guests: [contactEmail] });
    await waitFor(async () => (await meetingsTitled(account, contactId, 'After expiry')).length === 1, 'the meeting synced with a refreshed token');
    expect(calendar.calls('token')).toBeGreaterThan(refreshesBefore);
    expect((await harness.connection(account, user.id)).status).toBe('ACTIVE');
  });

  it('refreshes once for activities that find the token expired at the same time; a lapsed lease blocks nothing', async () => {
    const { connectionId } = await connectedUser('refresh-once');
    const sessions = await Promise.all([1, 2, 3, 4].map(() => openProviderSession(harness.deps, connectionId)));
    calendar.expireAccessTokens((await harness.db.calendarConnection.findUniqueOrThrow({ where: { id: connectionId } })).providerEmail);
    const refreshesBefore = calendar.calls('token');
    const found = await Promise.all(sessions.map((session) => session.run((provider) => provider.getEvent('no-such-event'))));
    expect(found).toEqual([undefined, undefined, undefined, undefined]);
    expect(calendar.calls('token') - refreshesBefore).toBe(1);
    expect((await harness.db.calendarConnection.findUniqueOrThrow({ where: { id: connectionId } })).refreshLeaseUntil).toBeNull();

    // A holder that died mid-refresh leaves a lease that lapses: the next refresh goes ahead.
    await harness.db.$executeRaw`UPDATE calendar_connections SET refresh_lease_until = now() - interval '1 second' WHERE id = ${connectionId}::uuid`;
    calendar.expireAccessTokens((await harness.db.calendarConnection.findUniqueOrThrow({ where: { id: connectionId } })).providerEmail);
    await expect((await openProviderSession(harness.deps, connectionId)).run((provider) => provider.getEvent('no-such-event'))).resolves.toBeUndefined();
    expect(calendar.calls('token') - refreshesBefore).toBe(2);
  });

  it('moves to NEEDS_REAUTH when the grant is revoked, and a reconnect resumes the same workflow', async () => {
    const { account, user, contactEmail, contactId, connectionId } = await connectedUser('reauth');
    const handle = harness.temporal.workflow.getHandle(connectionWorkflowId(connectionId));
    const firstRunId = (await handle.describe()).raw.workflowExecutionInfo?.firstRunId;

    calendar.revokeGrant(user.email);
    calendar.expireAccessTokens(user.email);
    await calendar.createEvent(user.email, { title: 'While revoked', start: inDays(4, 9), end: inDays(4, 10), guests: [contactEmail] });
    const stuck = await harness.waitForConnection(account, user, (c) => c.status === 'NEEDS_REAUTH', 'NEEDS_REAUTH');
    expect(stuck.statusReason).toMatch(/reconnect/);
    // Without a grant the provider refuses the stop: the service stops listening, the stop waits.
    const liveInService = () => harness.db.pushChannel.count({ where: { connectionId, retiredAt: null } });
    expect(await liveInService()).toBe(0);
    const [leftBehind] = await calendar.liveChannels(user.email);
    expect(leftBehind).toBeDefined();

    const callback = await harness.authorize(account, user, provider);
    expect(callback.status).toBe(200);
    expect(callback.text).toMatch(/reconnected/);
    await harness.waitForConnection(account, user, (c) => c.status === 'ACTIVE', 'ACTIVE again');
    expect((await handle.describe()).raw.workflowExecutionInfo?.firstRunId).toBe(firstRunId);
    // The change made while the grant was dead arrives once the workflow runs again.
    await waitFor(async () => (await meetingsTitled(account, contactId, 'While revoked')).length === 1, 'the change made while revoked');
    expect(await liveInService()).toBe(1);
    // With valid tokens again the channel the dead grant left running is stopped at the provider.
    const live = await calendar.liveChannels(user.email);
    expect(live).toHaveLength(1);
    expect(live[0]!.id).not.toBe(leftBehind!.id);
    expect(await calendar.isChannelStopped(leftBehind!.id)).toBe(true);
  });

  it('shows a failing sync on the connection while it is retried, and clears it once a sync succeeds', async () => {
    const { account, user, contactEmail, contactId } = await connectedUser('retrying');
    // The listing fails until the test has seen the error, not for a fixed two attempts (~3 s of
    // backoff a loaded machine's status reads can miss); four failures stay within the retry policy.
    calendar.failNext('list', 4, 503);
    await calendar.createEvent(user.email, { title: 'After a 503', start: inDays(4, 11), end: inDays(4, 12), guests: [contactEmail] });
    const failing = await harness.waitForConnection(account, user, (c) => typeof c.lastError === 'string', 'lastError while the sync is retried');
    harness.emulator(provider).clearFaults();
    expect(failing.lastError).toMatch(/503/);
    expect(failing.status).toBe('ACTIVE');
    await waitFor(async () => (await meetingsTitled(account, contactId, 'After a 503')).length === 1, 'the meeting once the retry got through');
    await harness.waitForConnection(account, user, (c) => c.lastError === null, 'lastError cleared');
  });

  it('answers an invalidated cursor with a full resync that duplicates nothing and misses no deletion', async () => {
    const { account, user, contactEmail, contactId } = await connectedUser('cursor');
    const id = await calendar.createEvent(user.email, { title: 'Before 410', start: inDays(5, 9), end: inDays(5, 10), guests: [contactEmail] });
    const doomed = await calendar.createEvent(user.email, { title: 'Deleted after 410', start: inDays(5, 11), end: inDays(5, 12), guests: [contactEmail] });
    await waitFor(async () => (await meetingsTitled(account, contactId, 'Deleted after 410')).length === 1, 'the meetings before the invalidation');

    calendar.invalidateCursor(user.email);
    await calendar.updateEvent(user.email, id, { title: 'After 410' });
    // A full listing leaves deleted events out: the resync must notice this one is gone.
    await calendar.deleteEvent(user.email, doomed);
    await calendar.createEvent(user.email, { title: 'New after 410', start: inDays(6, 9), end: inDays(6, 10), guests: [contactEmail] });
    await waitFor(async () => (await meetingsTitled(account, contactId, 'New after 410')).length === 1, 'the meeting created after the invalidation');
    await waitFor(async () => (await meetingsTitled(account, contactId, 'After 410')).length === 1, 'the edit applied by the full resync');
    await waitFor(async () => (await meetingsTitled(account, contactId, 'Deleted after 410'))[0]?.status === 'CANCELLED', 'the deletion applied by the full resync');
    const timeline = await harness.timeline(account, contactId);
    expect(timeline).toHaveLength(3);
  });

  it('loses no notification across continue-as-new', async () => {
    const { account, user, contactEmail, contactId, connectionId } = await connectedUser('can');
    const handle = harness.temporal.workflow.getHandle(connectionWorkflowId(connectionId));
    const firstRun = (await handle.describe()).runId;
    // Each change waited for is a notification, a signal and a sync (a dozen history events): thirty
    // of them cross the test server's lowered continue-as-new threshold; the unwaited burst after them
    // lands while runs hand over.
    const titles: string[] = [];
    for (let i = 0; i < 40; i++) {
      titles.push(`Burst ${i}`);
      await calendar.createEvent(user.email, { title: `Burst ${i}`, start: inDays(7, 8 + (i % 10)), end: inDays(7, 9 + (i % 10)), guests: [contactEmail] });
      if (i < 30) await waitFor(async () => (await meetingsTitled(account, contactId, `Burst ${i}`)).length === 1, `burst ${i}`);
    }
    await waitFor(async () => {
      const seen = new Set((await harness.timeline(account, contactId)).map((m) => m.title));
      return titles.every((title) => seen.has(title));
    }, 'every burst meeting', 60_000);
    expect((await handle.describe()).runId).not.toBe(firstRun);
    expect(await harness.timeline(account, contactId)).toHaveLength(40);
  });
});
