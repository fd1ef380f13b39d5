/**
 * Google fault contract: scripted failures with Google's bodies and `Retry-After`, mapped by the
 * adapter to the service's failure kinds without hidden retries; call counts; the control API over
 * HTTP; and a short load check.
 */
import type { GoogleEmulator } from '../../../devstack/emulators/google';
import { GoogleCalendar } from '../../../providers/google';
import { authFor, connectUser, eventAt, rejectionOf, startEmulator, type Connected } from './support';

describe('Google emulator: faults, counts and control', () => {
  let emulator: GoogleEmulator;
  let user: Connected;

  beforeAll(async () => {
    emulator = await startEmulator();
    user = await connectUser(emulator, 'faults@portal.example');
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.control.clearFaults();
    emulator.control.resetCounts();
  });

  it('answers 403 rateLimitExceeded / userRateLimitExceeded with the usageLimits body: transient', async () => {
    emulator.control.failNext('events.list', 1, { status: 403, reason: 'rateLimitExceeded' });
    emulator.control.failNext('events.list', 1, { status: 403, reason: 'userRateLimitExceeded', retryAfterSeconds: 3 });
    const raw = await rejectionOf(user.raw.events.list({ calendarId: 'primary' }, user.auth()));
    expect(raw.response.status).toBe(403);
    expect(raw.response.data.error).toMatchObject({ code: 403, message: 'Rate Limit Exceeded', errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded' }] });
    const mapped = await rejectionOf(user.calendar.listChanges({}));
    expect(mapped).toMatchObject({ kind: 'transient', name: 'ProviderTransientError', retryable: true, details: { status: 403, retryAfterMs: 3000 } });
    await expect(user.calendar.listChanges({})).resolves.toBeTruthy();
    expect(emulator.control.callCounts()['events.list']).toBe(3);
  });

  it('answers 429 with Retry-After: transient with retryAfterMs, and googleapis does not retry', async () => {
    emulator.control.failNext('events.get', 1, { status: 429, retryAfterSeconds: 12 });
    const error = await rejectionOf(user.calendar.getEvent('anyevent1'));
    expect(error).toMatchObject({ kind: 'transient', details: { status: 429, retryAfterMs: 12_000 } });
    expect(emulator.control.callCounts()['events.get']).toBe(1);
  });

  it('answers 500 and 503: transient, one call each (no gaxios retry)', async () => {
    emulator.control.failNext('events.insert', 1, { status: 503 });
    emulator.control.failNext('events.patch', 1, { status: 500 });
    emulator.control.failNext('events.delete', 1, { status: 503 });
    const input = { title: 't', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' }, attendees: [] };
    expect(await rejectionOf(user.calendar.createEvent(input, { clientId: 'fault-503' }))).toMatchObject({ kind: 'transient', details: { status: 503 } });
    const created = await user.calendar.createEvent(input, { clientId: 'fault-503' });
    expect(await rejectionOf(user.calendar.patchEvent(created.id, { title: 'u' }, { notify: false }))).toMatchObject({ kind: 'transient', details: { status: 500 } });
    expect(await rejectionOf(user.calendar.deleteEvent(created.id, { notify: false }))).toMatchObject({ kind: 'transient', details: { status: 503 } });
    const raw = await rejectionOf(user.raw.events.get({ calendarId: 'primary', eventId: created.id }, { ...user.auth() }).then(() => {
      emulator.control.failNext('events.get', 1, { status: 503 });
      return user.raw.events.get({ calendarId: 'primary', eventId: created.id }, user.auth());
    }));
    expect(raw.response.data.error).toMatchObject({ code: 503, status: 'UNAVAILABLE', errors: [{ reason: 'backendError' }] });
    expect(emulator.control.callCounts()).toMatchObject({ 'events.insert': 2, 'events.patch': 1, 'events.delete': 1, 'events.get': 2 });
  });

  it('maps other 403s to permissionDenied and scripted failures of watch and stop', async () => {
    emulator.control.failNext('events.watch', 1, { status: 403, reason: 'forbidden', message: 'Forbidden' });
    const request = { address: 'http://127.0.0.1:9/hook', channelId: 'fault-chan', secret: 's', expiresAt: new Date(Date.now() + 3600_000).toISOString() };
    expect(await rejectionOf(user.calendar.createChannel(request))).toMatchObject({ kind: 'permissionDenied', retryable: false });
    const channel = await user.calendar.createChannel(request);
    emulator.control.failNext('channels.stop', 1, { status: 500 });
    expect(await rejectionOf(user.calendar.stopChannel(channel))).toMatchObject({ kind: 'transient' });
    await user.calendar.stopChannel(channel);
    expect(emulator.control.callCounts()).toMatchObject({ 'events.watch': 2, 'channels.stop': 2 });
  });

  it('maps an unreachable API to transient', async () => {
    const down = await startEmulator();
    const calendar = new GoogleCalendar({ rootUrl: down.rootUrl, accessToken: async () => 'token' });
    await down.stop();
    expect(await rejectionOf(calendar.listChanges({}))).toMatchObject({ kind: 'transient' });
  });

  it('refuses unknown endpoints and bad statuses in failNext', () => {
    expect(() => emulator.control.failNext('events.explode' as never, 1, { status: 500 })).toThrow(/unknown endpoint/);
    expect(() => emulator.control.failNext('events.list', 1, { status: 200 })).toThrow(/status/);
  });

  it('serves every control method over HTTP', async () => {
    const rpc = async (method: string, args?: unknown[]) => {
      const response = await fetch(`${emulator.url}/_emulator/${method}`, args ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) } : {});
      return { status: response.status, body: (await response.json()) as any };
    };
    const index = await rpc('');
    expect(index.body.methods).toEqual(expect.arrayContaining([
      'createUser', 'reset', 'approveConsent', 'revokeRefreshTokens', 'expireAccessTokens', 'userCreateEvent', 'userUpdateEvent', 'userDeleteEvent',
      'userCancelInstance', 'userMoveInstance', 'userSetResponse', 'inviteUser', 'outbox', 'channels', 'setNotificationFaults', 'invalidateSyncTokens',
      'failNext', 'callCounts', 'resetCounts',
    ]));
    // Each method says what it takes.
    expect(index.body.usage).toMatchObject({ inviteUser: 'inviteUser(userEmail, invitation)', failNext: 'failNext(endpoint, count, fault)' });
    expect((await rpc('createUser', [{ email: 'http@portal.example' }])).body.result).toMatchObject({ email: 'http@portal.example' });
    const created = await rpc('userCreateEvent', ['http@portal.example', eventAt(1, 9, { summary: 'Over HTTP' })]);
    expect(created.body.result).toMatchObject({ summary: 'Over HTTP', organizer: { email: 'http@portal.example', self: true } });
    expect((await rpc('listEvents', ['http@portal.example'])).body.result).toHaveLength(1);
    await rpc('failNext', ['events.list', 1, { status: 503 }]);
    expect(await rejectionOf(user.calendar.listChanges({}))).toMatchObject({ details: { status: 503 } });
    expect((await rpc('callCounts')).body.result).toMatchObject({ 'events.list': 1 });
    expect((await rpc('userCreateEvent', ['nobody@portal.example', eventAt(1, 9)])).status).toBe(404);
    expect((await rpc('noSuchMethod')).status).toBe(404);
    const consent = await rpc('approveConsent', [await authFor(emulator).authorizationUrl({ state: 's', redirectUri: 'http://127.0.0.1:9/cb' }), 'http@portal.example']);
    expect(new URL(consent.body.result).searchParams.get('code')).toBeTruthy();
  });

  it('serves thousands of concurrent requests (list and insert, concurrency 50) without losing one', async () => {
    const total = 3000;
    const concurrency = 50;
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < total) {
        const i = next++;
        if (i % 2 === 0) await user.raw.events.list({ calendarId: 'primary', maxResults: 10 }, user.auth());
        else await user.raw.events.insert({ calendarId: 'primary', requestBody: eventAt(i % 365, 8) }, user.auth());
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const perSecond = Math.round(total / ((performance.now() - started) / 1000));
    process.stdout.write(`google emulator load: ${total} requests through googleapis at ${perSecond} req/s\n`);
    // Throughput is the benchmark's to judge (`npm run bench`); here every request must have landed.
    expect(emulator.control.callCounts()).toMatchObject({ 'events.list': total / 2, 'events.insert': total / 2 });
  });
});
