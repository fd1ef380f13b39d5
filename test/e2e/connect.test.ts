/**
 * Connecting a calendar (SPEC §2, §1): the consent round trip for both providers, a `state` that is
 * signed, one-time, user-bound and short-lived, one integration per account, tokens encrypted at rest
 * and absent from Temporal, search attributes for operators, resync and disconnect.
 */
import request from 'supertest';
import { openCredentials } from '../../db/credentials';
import { connectionWorkflowId } from '../../workflows/connection-messages';
import { calendarActions, E2E_PROVIDERS, inDays } from '../../devstack/emulators/calendar-actions';
import { SyncHarness, waitFor } from '../support/sync-harness';

describe('connecting a calendar', () => {
  let harness: SyncHarness;
  beforeAll(async () => {
    // States outlive every flow here (default TTL); the expiry case gets an API of its own with a short one.
    harness = await SyncHarness.start({ SYNC_POLL_INTERVAL: '1h' });
  });
  afterAll(() => harness.close());

  const tag = () => `${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

  it.each(E2E_PROVIDERS)('connects %s, keeps the tokens encrypted and out of Temporal, and tags the workflow for operators', async (provider) => {
    const account = await harness.newAccount();
    const user = await harness.newUser(account, `connect-${tag()}@portal.example`);
    const connectionId = await harness.connect(account, user, provider);

    const status = await harness.connection(account, user.id);
    expect(status).toMatchObject({ provider, email: user.email, status: 'ACTIVE', workflowRunning: true, lastError: null });
    expect(status.connectedAt).toBeTruthy();
    expect(Date.parse(status.channelExpiresAt)).toBeGreaterThan(Date.now());
    expect((await harness.http().get('/v1/account').set(account.auth)).body.installedProvider).toBe(provider);

    const row = await harness.db.calendarConnection.findUniqueOrThrow({ where: { id: connectionId } });
    const { accessToken, refreshToken } = openCredentials<{ accessToken: string; refreshToken: string }>(harness.deps.secrets, connectionId, row.encryptedCredentials!);
    expect(accessToken).toBeTruthy();
    expect(row.encryptedCredentials).not.toContain(accessToken);
    if (refreshToken) expect(row.encryptedCredentials).not.toContain(refreshToken);

    const handle = harness.temporal.workflow.getHandle(connectionWorkflowId(connectionId));
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain(accessToken);
    expect(history).not.toContain(user.email); // no personal data in inputs, signals or attributes

    const description = await handle.describe();
    expect(description.searchAttributes).toMatchObject({ ConnectionStatus: ['ACTIVE'], CalendarProvider: [provider], AccountId: [account.accountId] });
  });

  it('refuses a forged, a replayed and an expired state', async () => {
    const account = await harness.newAccount();
    const user = await harness.newUser(account, `state-${tag()}@portal.example`);
    const started = await harness.http().post(`/v1/users/${user.id}/calendar-connection/authorize`).set(account.auth).send({ provider: 'GOOGLE' });
    const redirect = new URL(await harness.google.control.approveConsent(started.body.authorizationUrl, user.email));
    const state = redirect.searchParams.get('state')!;
    const code = redirect.searchParams.get('code')!;

    const forged = `${Buffer.from(JSON.stringify({ n: 'x', u: user.id, p: 'GOOGLE', e: Date.now() + 60_000 })).toString('base64url')}.${state.split('.')[1]}`;
    const forgedResponse = await harness.http().get('/oauth/google/callback').query({ code, state: forged });
    expect(forgedResponse.status).toBe(400);
    expect(forgedResponse.text).toMatch(/not one this service issued/);

    expect((await harness.http().get('/oauth/google/callback').query({ code, state })).status).toBe(200);
    // A reload of the page that worked says so, and exchanges nothing again.
    const exchanges = harness.google.control.callCounts()['oauth.token'];
    const reloaded = await harness.http().get('/oauth/google/callback').query({ code, state });
    expect(reloaded.status).toBe(200);
    expect(reloaded.text).toMatch(/is connected/);
    expect(harness.google.control.callCounts()['oauth.token']).toBe(exchanges);
    // Once that connection is gone, the spent state is refused as such.
    await harness.http().delete(`/v1/users/${user.id}/calendar-connection`).set(account.auth).expect(202);
    await harness.waitForConnection(account, user, (c) => c.status === 'DISCONNECTED', 'DISCONNECTED');
    const replayed = await harness.http().get('/oauth/google/callback').query({ code, state });
    expect(replayed.status).toBe(400);
    expect(replayed.text).toMatch(/already used/);

    // With one short TTL for the whole file, the flow above had to finish within it: a loaded machine missed that.
    const ttlMs = 1_000;
    const shortLived = await harness.startExtraApi(undefined, { oauthStateTtlMs: ttlMs });
    try {
      const other = await harness.newUser(account, `late-${tag()}@portal.example`);
      const late = await request(shortLived.url).post(`/v1/users/${other.id}/calendar-connection/authorize`).set(account.auth).send({ provider: 'GOOGLE' });
      const issuedBy = Date.now(); // the state was issued before its answer came back
      const lateRedirect = new URL(await harness.google.control.approveConsent(late.body.authorizationUrl, other.email));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedBy + ttlMs + 1 - Date.now())));
      const expired = await harness.http().get('/oauth/google/callback').query(Object.fromEntries(lateRedirect.searchParams));
      expect(expired.status).toBe(400);
      expect(expired.text).toMatch(/expired/);
      expect(await harness.db.calendarConnection.count({ where: { userId: other.id } })).toBe(0);
    } finally {
      await shortLived.stop();
    }
  });

  it('allows one integration per account: the other provider gets a 409 naming the installed one', async () => {
    const account = await harness.newAccount();
    const first = await harness.newUser(account, `first-${tag()}@portal.example`);
    await harness.connect(account, first, 'GOOGLE');
    const second = await harness.newUser(account, `second-${tag()}@portal.example`);
    const refused = await harness.http().post(`/v1/users/${second.id}/calendar-connection/authorize`).set(account.auth).send({ provider: 'MICROSOFT' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/Google Calendar integration installed/);
    expect(refused.body.error.details).toEqual({ installedProvider: 'GOOGLE' });

    const bad = await harness.http().post(`/v1/users/${second.id}/calendar-connection/authorize`).set(account.auth).send({ provider: 'YAHOO' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/provider/);
  });

  it('disconnects: channel stopped, workflow ended, synced meetings kept', async () => {
    const account = await harness.newAccount(['portal.example']);
    const user = await harness.newUser(account, `bye-${tag()}@portal.example`);
    const contactEmail = `client-${tag()}@customer.example`;
    const contactId = await harness.newContact(account, contactEmail);
    const connectionId = await harness.connect(account, user, 'GOOGLE');
    const calendar = calendarActions(harness, 'GOOGLE');
    await calendar.createEvent(user.email, { title: 'Before goodbye', start: inDays(2, 9), end: inDays(2, 10), guests: [contactEmail] });
    await waitFor(async () => (await harness.timeline(account, contactId)).length === 1, 'the meeting');

    const resync = await harness.http().post(`/v1/users/${user.id}/calendar-connection/resync`).set(account.auth);
    expect(resync.status).toBe(202);

    expect((await harness.http().delete(`/v1/users/${user.id}/calendar-connection`).set(account.auth)).status).toBe(202);
    const handle = harness.temporal.workflow.getHandle(connectionWorkflowId(connectionId));
    await handle.result();
    const status = await harness.connection(account, user.id);
    expect(status).toMatchObject({ status: 'DISCONNECTED', workflowRunning: false });
    expect(await calendar.liveChannels(user.email)).toHaveLength(0);
    expect(await harness.timeline(account, contactId)).toHaveLength(1);
  });
});
