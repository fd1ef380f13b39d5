/**
 * Push ingestion under floods and outages, on both providers: a flood of genuine notifications is
 * coalesced into a few signals (the worker stays alive, the history stays bounded, no change is
 * lost); a notification that arrives while PostgreSQL is down still wakes the workflow, and the
 * change lands soon after the database returns, not at the hour-long poll; with Temporal unreachable
 * a webhook answers 503 within its bound; channels a dead grant left running are stopped or refused.
 */
import { channelIdFor, ensureChannel } from '../../activities/channels';
import { openProviderSession } from '../../activities/provider-session';
import { webhookAddresses } from '../../activities/webhook-addresses';
import { createDatabase, type Database } from '../../db/client';
import { ChannelTokens } from '../../lib/channel-tokens';
import { GRAPH_BATCH_LIMIT } from '../../api/routers/webhooks';
import { connectionWorkflowId } from '../../workflows/connection-messages';
import { calendarActions, E2E_PROVIDERS, inDays, type CalendarActions } from '../../devstack/emulators/calendar-actions';
import { databaseIsEmbedded, databaseUrl, temporalAddress } from '../support/services';
import { SyncHarness, waitFor, type TestAccount } from '../support/sync-harness';
import { TcpProxy } from '../../devstack/tcp-proxy';
import { TEST_SUGGEST_CONTINUE_AS_NEW_AT } from '../global-setup';

const FLOOD = 2_000;
const FLOOD_CONCURRENCY = 40;

/** Cutting the database proxy needs a server: the embedded PGlite is one session behind one socket. */
const itOnServer = databaseIsEmbedded() ? it.skip : it;

/** The webhooks' bound on a marker claim (api/app.ts MARKER_CLAIM_TIMEOUT_MS). */
const MARKER_CLAIM_TIMEOUT_MS = 300;

/**
 * `db`, counting the webhooks' marker claims that took the claim timeout or longer. Such a claim
 * counts as "no database" and its notification signals without the marker (spaced per connection,
 * see connections/notification-coalescer.ts): on a loaded machine that is by design, not a leak.
 */
function countingSlowClaims(db: Database): { db: Database; slowClaims: () => number } {
  let slow = 0;
  const counting = new Proxy(db, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (key !== '$executeRaw') return value.bind(target);
      return (strings: TemplateStringsArray, ...values: unknown[]) => {
        const query = value.call(target, strings, ...values);
        if (!/SET sync_requested_at = now\(\)/.test(strings.join('?'))) return query;
        const started = Date.now();
        return Promise.resolve(query).finally(() => {
          if (Date.now() - started >= MARKER_CLAIM_TIMEOUT_MS) slow += 1;
        });
      };
    },
  });
  return { db: counting, slowClaims: () => slow };
}

describe.each(E2E_PROVIDERS)('push ingestion on %s', (provider) => {
  let harness: SyncHarness;
  let calendar: CalendarActions;
  let databaseProxy: TcpProxy;
  let slowClaims: () => number;
  beforeAll(async () => {
    const url = new URL(databaseUrl());
    databaseProxy = await TcpProxy.start(url.hostname, Number(url.port || 5432));
    url.hostname = '127.0.0.1';
    url.port = String(databaseProxy.port);
    const counted = countingSlowClaims(createDatabase({ url: url.toString(), maxConnections: databaseIsEmbedded() ? 1 : 10 }));
    slowClaims = counted.slowClaims;
    harness = await SyncHarness.start({ SYNC_POLL_INTERVAL: '1h', WEBHOOK_SIGNAL_TIMEOUT: '1s' }, { db: counted.db });
    calendar = calendarActions(harness, provider);
  });
  afterAll(async () => {
    await harness.close();
    await databaseProxy.close();
  });

  const meetingTitled = (account: TestAccount, contactId: string, title: string) => async () =>
    (await harness.timeline(account, contactId)).some((meeting) => meeting.title === title);

  /** One genuine notification for the user's live channel, as the provider would post it to `apiUrl`. */
  const notifier = (userEmail: string, apiUrl = harness.api.url) => {
    if (provider === 'GOOGLE') {
      const channel = harness.google.control.channels(userEmail).find((c) => c.live)!;
      let message = 1_000;
      return async () =>
        (
          await fetch(`${apiUrl}/webhooks/google`, {
            method: 'POST',
            headers: { 'X-Goog-Channel-ID': channel.id, 'X-Goog-Channel-Token': channel.token!, 'X-Goog-Resource-State': 'exists', 'X-Goog-Message-Number': String(message++) },
          })
        ).status;
    }
    const subscription = harness.microsoft.control.subscriptions(userEmail).find((s) => s.live)!;
    const body = JSON.stringify({ value: [{ subscriptionId: subscription.id, clientState: subscription.clientState, changeType: 'updated', resource: 'Users/x/Events/y' }] });
    return async () => (await fetch(`${apiUrl}/webhooks/microsoft`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status;
  };

  const notifications = async (outcome: string) => {
    const metric = await harness.deps.metrics.webhookNotifications.get();
    return metric.values.filter((v) => v.labels.provider === provider && v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
  };

  it('coalesces a flood into a few signals, keeps the history bounded and loses no change', async () => {
    const { account, user, contactEmail, contactId, connectionId } = await harness.connectedUser(provider, 'flood');
    const notify = notifier(user.email);
    const workflowId = connectionWorkflowId(connectionId);
    const syncCount = async () => (await harness.workflows.status(connectionId))!.syncCount;
    const syncsBefore = await syncCount();
    const signalledBefore = await notifications('signalled');
    const slowClaimsBefore = slowClaims();

    let sent = 0;
    const statuses = new Map<number, number>();
    /**
     * As the providers do: a 503 (Temporal too slow to take the signal on a loaded machine) is
     * delivered again, with backoff, for as long as the service keeps taking other notifications
     * (a fixed number of retries was a window a loaded machine could miss).
     */
    let lastTakenAt = Date.now();
    let refused = 0;
    const floodStarted = Date.now();
    const deliver = async () => {
      for (let retry = 0; ; retry++) {
        const status = await notify();
        if (status === 503) refused += 1;
        if (status !== 503) {
          lastTakenAt = Date.now();
          return status;
        }
        if (Date.now() - lastTakenAt > 30_000) return status; // nothing taken for 30 s: counted as failed below
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** retry, 2_000)));
      }
    };
    const sender = async () => {
      while (sent < FLOOD) {
        sent += 1;
        // Halfway through, a real change: it must reach the timeline like any other.
        if (sent === FLOOD / 2) await calendar.createEvent(user.email, { title: 'Made during the flood', start: inDays(2, 9), end: inDays(2, 10), guests: [contactEmail] });
        const status = await deliver();
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: FLOOD_CONCURRENCY }, sender));
    const floodSeconds = (Date.now() - floodStarted) / 1000;
    expect(statuses).toEqual(new Map([[provider === 'GOOGLE' ? 200 : 202, FLOOD]]));

    await waitFor(meetingTitled(account, contactId, 'Made during the flood'), 'the change made during the flood');
    // The worker is alive and still syncing by push.
    await calendar.createEvent(user.email, { title: 'Made after the flood', start: inDays(3, 9), end: inDays(3, 10), guests: [contactEmail] });
    await waitFor(meetingTitled(account, contactId, 'Made after the flood'), 'the change made after the flood');

    // A signal needs a sync to have started since the previous one: signals never outnumber syncs by
    // more than the one in flight, plus, on a loaded machine, one for each claim slower than its
    // timeout and each signal slower than its deadline (answered 503, delivered again), and one per
    // 30 s of flood for a marker no sync cleared in that time (connections/sync-request-marker.ts).
    const syncs = (await syncCount()) - syncsBefore;
    const signalled = (await notifications('signalled')) - signalledBefore;
    const loadAllowance = slowClaims() - slowClaimsBefore + refused + Math.floor(floodSeconds / 30);
    expect(signalled).toBeLessThanOrEqual(syncs + 2 + loadAllowance);

    // Every run stays near the continue-as-new threshold: history grows per sync, not per notification.
    const lengths = [(await harness.temporal.workflow.getHandle(workflowId).describe()).historyLength];
    for await (const run of harness.temporal.workflow.list({ query: `WorkflowId = "${workflowId}" AND ExecutionStatus != "Running"` })) lengths.push(run.historyLength);
    expect(Math.max(...lengths)).toBeLessThan(TEST_SUGGEST_CONTINUE_AS_NEW_AT * 2);
  });

  itOnServer('wakes the workflow while the database is down and lands the change soon after it returns', async () => {
    const { account, user, contactEmail, contactId } = await harness.connectedUser(provider, 'db-outage');
    const signalledBefore = await notifications('signalled');
    databaseProxy.cut();
    try {
      await calendar.createEvent(user.email, { title: 'Made while the database was down', start: inDays(4, 9), end: inDays(4, 10), guests: [contactEmail] });
      // The provider's notification is authenticated and signalled without the database.
      await waitFor(async () => (await notifications('signalled')) > signalledBefore, 'a signal sent without the database');
    } finally {
      databaseProxy.restore();
    }
    // The sync retries with backoff; the poll is an hour away, so this is the retried sync's doing.
    await waitFor(meetingTitled(account, contactId, 'Made while the database was down'), 'the change made during the outage', 120_000);
  });

  it('answers 503 within its bound while Temporal is unreachable, and signals again once it is back', async () => {
    const { user } = await harness.connectedUser(provider, 'temporal-down');
    const [host, port] = temporalAddress().split(':');
    const temporalProxy = await TcpProxy.start(host!, Number(port));
    const api = await harness.startExtraApi(`127.0.0.1:${temporalProxy.port}`);
    try {
      const notify = notifier(user.email, api.url);
      const unavailableBefore = await notifications('unavailable');
      temporalProxy.cut();
      const started = Date.now();
      expect(await notify()).toBe(503);
      // WEBHOOK_SIGNAL_TIMEOUT is 1 s here; unbounded, the request hung for more than 10 s.
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(await notifications('unavailable')).toBe(unavailableBefore + 1);
      temporalProxy.restore();
      await waitFor(async () => (await notify()) === (provider === 'GOOGLE' ? 200 : 202), 'the webhook taking notifications again');
    } finally {
      await api.stop();
      await temporalProxy.close();
    }
  });

  it('stops the channel at the provider when the grant dies while the access token still works; a disconnect leaves nothing live', async () => {
    // Access tokens that are always due for refresh: the first sync after the revocation finds out.
    harness.emulator(provider).configure({ accessTokenLifetimeSeconds: 240 });
    try {
      const { account, user, contactEmail } = await harness.connectedUser(provider, 'revoked-live-token');
      expect(await calendar.liveChannels(user.email)).toHaveLength(1);
      calendar.revokeGrant(user.email);
      await calendar.createEvent(user.email, { title: 'After revocation', start: inDays(5, 9), end: inDays(5, 10), guests: [contactEmail] });
      await harness.waitForConnection(account, user, (c) => c.status === 'NEEDS_REAUTH', 'NEEDS_REAUTH');
      await waitFor(async () => (await calendar.liveChannels(user.email)).length === 0, 'the channel stopped at the provider');

      const disconnected = await harness.http().delete(`/v1/users/${user.id}/calendar-connection`).set(account.auth);
      expect(disconnected.status).toBeLessThan(300);
      await waitFor(async () => (await harness.db.calendarConnection.findFirst({ where: { userId: user.id } }))?.status === 'DISCONNECTED', 'DISCONNECTED');
      expect(await calendar.liveChannels(user.email)).toHaveLength(0);
    } finally {
      harness.emulator(provider).configure({ accessTokenLifetimeSeconds: 3600 });
    }
  });

  it('refuses the channel of a connection disconnected with a dead grant, its stop pending until it expires', async () => {
    const { account, user, connectionId } = await harness.connectedUser(provider, 'revoked-dead-token');
    const notify = notifier(user.email);
    calendar.revokeGrant(user.email);
    calendar.expireAccessTokens(user.email);
    expect(await notify()).toBe(provider === 'GOOGLE' ? 200 : 202);
    await harness.waitForConnection(account, user, (c) => c.status === 'NEEDS_REAUTH', 'NEEDS_REAUTH');

    const disconnected = await harness.http().delete(`/v1/users/${user.id}/calendar-connection`).set(account.auth);
    expect(disconnected.status).toBeLessThan(300);
    await waitFor(async () => (await harness.db.calendarConnection.findUnique({ where: { id: connectionId } }))?.status === 'DISCONNECTED', 'DISCONNECTED');
    const [channel] = await harness.db.pushChannel.findMany({ where: { connectionId } });
    expect(channel).toMatchObject({ retiredAt: expect.any(Date), stoppedAt: null });
    // No one can stop it at the provider without a grant; the service refuses what it still sends.
    await waitFor(async () => (await notify()) === 401, 'the retired channel refused');
  });

  it('stops the channel an earlier attempt created but never recorded, when the retry succeeds', async () => {
    const { user, connectionId } = await harness.connectedUser(provider, 'orphan');
    const session = await openProviderSession(harness.deps, connectionId);
    const tokens = new ChannelTokens(harness.deps.secrets);
    const scope = { id: `run-${connectionId}/activity-7`, attempt: 1 };
    // Attempt 1 creates the channel at the provider, then its worker dies before saving it.
    const lostId = channelIdFor(scope);
    await session.run((calendar) =>
      calendar.createChannel({
        ...webhookAddresses(harness.config.api.publicBaseUrl, provider),
        channelId: lostId,
        secret: tokens.issue({ connectionId, channelKey: lostId }),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
    expect(await calendar.liveChannels(user.email)).toHaveLength(2);

    // Attempt 2 of the same activity: a new channel, and the one before it is stopped.
    const settings = { publicBaseUrl: harness.config.api.publicBaseUrl, ttlMs: 3_600_000, tokens };
    await ensureChannel(harness.db, session, settings, { ...scope, attempt: 2 }, { renewIfExpiringBefore: new Date().toISOString(), recreate: true });
    const live = await calendar.liveChannels(user.email);
    expect(live).toHaveLength(1);
    const recorded = await harness.db.pushChannel.findMany({ where: { connectionId, retiredAt: null } });
    expect(recorded.map((channel) => channel.id)).toEqual([live[0]!.id]);
  });

  // Graph posts batches; Google notifications have no body.
  if (provider === 'MICROSOFT') it('refuses an oversized Graph batch before reading it, and a forged one in one pass', async () => {
    const tooLargeBefore = await notifications('too_large');
    const item = { subscriptionId: 'forged', clientState: 'c1.not.signed.here', changeType: 'updated', resource: 'Users/x/Events/y', padding: 'x'.repeat(400) };
    const oversized = { value: Array.from({ length: 3_000 }, () => item) };
    expect(JSON.stringify(oversized).length).toBeGreaterThan(1024 * 1024);
    const refused = await harness.http().post('/webhooks/microsoft').send(oversized);
    expect(refused.status).toBe(413);
    expect(refused.body.error.message).toContain(GRAPH_BATCH_LIMIT);
    expect(await notifications('too_large')).toBe(tooLargeBefore + 1);

    const forged = await harness.http().post('/webhooks/microsoft').send({ value: Array.from({ length: 1_500 }, () => item) });
    expect(forged.status).toBe(401);
  });
});
