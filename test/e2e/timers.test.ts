/**
 * The connection workflow's timers, shrunk to seconds: the fallback poll catches what push missed,
 * reconciliation repairs drift and reports it, channels are renewed before they expire.
 */
import { calendarActions, E2E_PROVIDERS, inDays, type CalendarActions } from '../../devstack/emulators/calendar-actions';
import { SyncHarness, waitFor } from '../support/sync-harness';

describe.each(E2E_PROVIDERS)('connection timers on %s', (provider) => {
  let harness: SyncHarness;
  let calendar: CalendarActions;
  beforeAll(async () => {
    harness = await SyncHarness.start({ SYNC_POLL_INTERVAL: '3s', RECONCILE_INTERVAL: '6s', CHANNEL_TTL: '30s', CHANNEL_RENEW_MARGIN: '22s' });
    calendar = calendarActions(harness, provider);
  });
  afterAll(() => harness.close());

  const connectedUser = (label: string) => harness.connectedUser(provider, label);

  it('catches up by polling when notifications are dropped', async () => {
    const { account, user, contactEmail, contactId } = await connectedUser('poll');
    calendar.dropNotifications(true);
    try {
      await calendar.createEvent(user.email, { title: 'Unannounced', start: inDays(2, 14), end: inDays(2, 15), guests: [contactEmail] });
      await waitFor(async () => (await harness.timeline(account, contactId)).some((m) => m.title === 'Unannounced'), 'the polled meeting');
    } finally {
      calendar.dropNotifications(false);
    }
  });

  it('repairs a corrupted meeting at reconciliation and reports the repair', async () => {
    const { account, user, contactEmail, contactId } = await connectedUser('reconcile');
    await calendar.createEvent(user.email, { title: 'Quarterly review', start: inDays(3, 14), end: inDays(3, 15), guests: [contactEmail], location: 'Room 4' });
    const [meeting] = await waitFor(async () => {
      const found = (await harness.timeline(account, contactId)).filter((m) => m.title === 'Quarterly review');
      return found.length ? found : undefined;
    }, 'the synced meeting');

    // Drift nobody notifies about: the CRM row is damaged behind the sync's back.
    await harness.db.meeting.update({ where: { id: meeting.id }, data: { title: 'garbled', location: null } });
    const since = new Date().toISOString();
    const repaired = await harness.waitForConnection(account, user, (c) => c.lastReconcile && c.lastReconcile.at > since && c.lastReconcile.repaired >= 1, 'a reconciliation that repaired');
    expect(repaired.lastReconcile.checked).toBeGreaterThanOrEqual(1);
    const fixed = await harness.http().get(`/v1/meetings/${meeting.id}`).set(account.auth);
    expect(fixed.body).toMatchObject({ title: 'Quarterly review', location: 'Room 4' });

    // Operators see it too: reconciliations timed, judged changes counted, at /metrics.
    const metrics = (await harness.http().get('/metrics')).text;
    expect(metrics).toMatch(new RegExp(`calendar_sync_duration_seconds_count\\{kind="reconcile",provider="${provider}",outcome="ok"\\} [1-9]`));
    expect(metrics).toMatch(new RegExp(`calendar_synced_events_total\\{provider="${provider}",result="changed"\\} [1-9]`));
  });

  it('removes at reconciliation an out-of-office period whose event is gone unnoticed', async () => {
    const { account, user } = await connectedUser('reconcile-away');
    const connection = await harness.db.calendarConnection.findUniqueOrThrow({ where: { userId: user.id } });
    // Drift: the CRM holds a period for an event the calendar no longer has, and no change will say so.
    const stale = await harness.db.outOfOffice.create({
      data: { accountId: account.accountId, userId: user.id, connectionId: connection.id, providerEventId: 'long-gone-event', title: 'Old leave', startAt: new Date(inDays(5, 0)), endAt: new Date(inDays(6, 0)), source: 'CALENDAR' },
    });
    await waitFor(async () => (await harness.db.outOfOffice.findUniqueOrThrow({ where: { id: stale.id } })).deletedAt !== null, 'the period removed by reconciliation');
  });

  it('renews the push channel before it expires and stops the old one', async () => {
    const { account, user } = await connectedUser('renew');
    const [first] = await calendar.liveChannels(user.email);
    expect(first).toBeDefined();
    // The workflow learns the new expiry after the provider has it: wait until both show it (a status
    // read as soon as the provider showed it raced the workflow, a race a loaded machine can lose).
    const renewed = await waitFor(async () => {
      const live = await calendar.liveChannels(user.email);
      if (live.length !== 1 || !(live[0]!.expiresAt > first!.expiresAt)) return undefined;
      const status = await harness.connection(account, user.id);
      return Date.parse(status?.channelExpiresAt) === Date.parse(live[0]!.expiresAt) ? live[0] : undefined;
    }, 'a renewed channel, shown on the connection', 40_000);
    if (provider === 'GOOGLE') {
      expect(renewed!.id).not.toBe(first!.id); // a new watch channel …
      expect(await calendar.isChannelStopped(first!.id)).toBe(true); // … and the old one stopped
    } else {
      expect(renewed!.id).toBe(first!.id); // the subscription's expiry was PATCHed
    }
  });
});
