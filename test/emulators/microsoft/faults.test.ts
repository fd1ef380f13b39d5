import type { MicrosoftEndpoint } from '../../../devstack/emulators/microsoft';
import { httpsRequest } from '../../../providers/microsoft/https';
import { getJson, readAll, signIn, useMailbox, WINDOW } from './support';

const when = (day: number, hour: number) => ({ dateTime: new Date(Date.UTC(2030, 8, 1 + (day % 200), hour)).toISOString() });

describe('Microsoft emulator faults, counts, control API and load', () => {
  const context = useMailbox('faults@contoso.example');
  const control = () => context.emulator.control;

  it('throttles with 429 + Retry-After and a TooManyRequests body, then 503, as transient failures; counts every call', async () => {
    control().resetCounts();
    control().failNext('events.delta', 1, { status: 429, retryAfterSeconds: 7 });
    control().failNext('events.delta', 1, { status: 503 });
    await expect(context.mailbox.calendar.listChanges({ window: WINDOW })).rejects.toMatchObject({ kind: 'transient', details: { status: 429, retryAfterMs: 7000 } });
    await expect(context.mailbox.calendar.listChanges({ window: WINDOW })).rejects.toMatchObject({ kind: 'transient', details: { status: 503 } });
    await expect(context.mailbox.calendar.listChanges({ window: WINDOW })).resolves.toBeDefined();
    expect(control().callCounts()).toEqual({ 'events.delta': 3 });

    control().failNext('events.create', 1, { status: 429, retryAfterSeconds: 2 });
    const raw = await context.mailbox.graph.api('/me/events').responseType('raw' as never).post({ subject: 'x', start: when(0, 9), end: when(0, 10) });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('2');
    expect((await raw.json()).error).toMatchObject({ code: 'TooManyRequests', message: expect.any(String) });
    control().resetCounts();
    expect(control().callCounts()).toEqual({});
  });

  it('fails each named endpoint as scripted, through the adapter', async () => {
    const { calendar } = context.mailbox;
    const event = await calendar.createEvent({ title: 'Target', start: when(1, 9), end: when(1, 10), attendees: [] }, { clientId: 'f-1' });
    const channel = { address: 'http://127.0.0.1:9/n', channelId: 'c', secret: 's', expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    const cases: [MicrosoftEndpoint, number, () => Promise<unknown>, string][] = [
      ['events.get', 503, () => calendar.getEvent(event.id), 'transient'],
      ['events.create', 500, () => calendar.createEvent({ title: 'x', start: when(2, 9), end: when(2, 10), attendees: [] }, { clientId: 'f-2' }), 'transient'],
      ['events.patch', 409, () => calendar.patchEvent(event.id, { title: 'y' }, { notify: false }), 'conflict'],
      ['events.delete', 403, () => calendar.deleteEvent(event.id, { notify: false }), 'permissionDenied'],
      ['subscriptions.create', 400, () => calendar.createChannel(channel), 'invalid'],
      ['subscriptions.update', 504, () => calendar.renewChannel({ id: 'any', secret: 's', expiresAt: channel.expiresAt }, channel), 'transient'],
      ['subscriptions.delete', 401, () => calendar.stopChannel({ id: 'any', secret: 's', expiresAt: channel.expiresAt }), 'authExpired'],
      ['events.delta', 410, () => calendar.listChanges({ window: WINDOW }), 'cursorInvalidated'],
    ];
    for (const [endpoint, status, call, kind] of cases) {
      control().failNext(endpoint, 1, { status });
      await expect(call()).rejects.toMatchObject({ kind, details: expect.objectContaining({ status: kind === 'cursorInvalidated' ? 410 : status }) });
    }
    expect(() => control().failNext('events.nope' as never, 1, { status: 500 })).toThrow(/unknown endpoint/);
  });

  it('serves the control API over HTTPS: list, call with JSON arguments, inspect', async () => {
    const { url, caCertPem } = context.emulator;
    const post = async (method: string, args: unknown[]) =>
      JSON.parse((await httpsRequest(`${url}/_emulator/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) }, caCertPem)).body);
    const { body } = await getJson(`${url}/_emulator`, context.emulator);
    expect(body.methods).toEqual(expect.arrayContaining(['createUser', 'approveConsent', 'failNext', 'sendLifecycle', 'invalidateDeltaTokens', 'userCreateEvent', 'outbox', 'callCounts']));
    expect((await post('createUser', [{ email: 'http@contoso.example', name: 'Over HTTP' }])).result).toMatchObject({ email: 'http@contoso.example', oid: expect.any(String) });
    const created = (await post('userCreateEvent', ['http@contoso.example', { subject: 'Via HTTP', start: '2030-09-10T09:00:00Z', end: '2030-09-10T10:00:00Z' }])).result;
    expect(control().getEvent('http@contoso.example', created.id)).toMatchObject({ subject: 'Via HTTP' });
    await post('failNext', ['events.get', 1, { status: 503 }]);
    await expect(context.mailbox.calendar.getEvent('whatever')).rejects.toMatchObject({ kind: 'transient' });
    expect((await getJson(`${url}/_emulator/callCounts`, context.emulator)).body.result['events.get']).toBeGreaterThan(0);
    expect((await post('userCreateEvent', ['nobody@contoso.example', {}])).error).toMatch(/no mailbox/);
  });

  it('serves thousands of concurrent HTTPS requests (creates and delta listings, concurrency 50) without losing one', async () => {
    const reader = await signIn(context.emulator, 'reader@contoso.example');
    for (let i = 0; i < 20; i++) control().userCreateEvent(reader.email, { subject: `R${i}`, start: `2030-10-${String(1 + i).padStart(2, '0')}T09:00:00Z`, end: `2030-10-${String(1 + i).padStart(2, '0')}T10:00:00Z` });
    const total = 2400;
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < total) {
        const n = next++;
        if (n % 2 === 0) {
          await context.mailbox.calendar.createEvent({ title: `Load ${n}`, start: when(n, 9), end: when(n, 10), attendees: [] }, { clientId: `load-${n}` });
        } else {
          const page = await reader.calendar.listChanges({ window: WINDOW });
          if (page.events.length !== 20) throw new Error(`listed ${page.events.length}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    const perSecond = Math.round((total / (performance.now() - started)) * 1000);
    process.stdout.write(`microsoft emulator load: ${total} requests (creates + delta pages) through the Graph client over HTTPS at ${perSecond} req/s\n`);
    // Throughput is the benchmark's to judge (`npm run bench`); here every request must have landed.
    expect(control().callCounts()).toMatchObject({ 'events.create': expect.any(Number), 'events.delta': expect.any(Number) });
    const created = (await readAll(context.mailbox.calendar, { window: { start: '2030-09-01T00:00:00Z', end: '2031-04-01T00:00:00Z' } })).events.filter((e) => e.title?.startsWith('Load '));
    expect(created).toHaveLength(total / 2);
  });
});
