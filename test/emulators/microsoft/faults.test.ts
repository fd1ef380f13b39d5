import { httpsRequest } from '../../../providers/microsoft/https';
import { useMailbox, WINDOW } from './support';

describe('Microsoft emulator faults, counts and control API', () => {
  const context = useMailbox('faults@contoso.example');

  it('throttles with 429 and Retry-After, then 503, as transient failures', async () => {
    context.emulator.control.failNext('events.delta', 1, { status: 429, retryAfterSeconds: 7 });
    context.emulator.control.failNext('events.delta', 1, { status: 503 });
    await expect(context.mailbox.calendar.listChanges({ window: WINDOW })).rejects.toMatchObject({ kind: 'transient', details: { status: 429, retryAfterMs: 7000 } });
    await expect(context.mailbox.calendar.listChanges({ window: WINDOW })).rejects.toMatchObject({ kind: 'transient', details: { status: 503 } });
    await expect(context.mailbox.calendar.listChanges({ window: WINDOW })).resolves.toBeDefined();
    expect(context.emulator.control.callCounts()['events.delta']).toBe(3);
  });

  it('serves the control API over HTTPS', async () => {
    const { methods } = await fetchJson(`${context.emulator.url}/_emulator`);
    expect(methods).toEqual(expect.arrayContaining(['createUser', 'failNext', 'sendLifecycle', 'invalidateDeltaTokens']));
  });

  it('sustains well over a thousand requests a second', async () => {
    const total = 2000;
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next += 1;
        await context.mailbox.calendar.getEvent('missing-event-id');
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    const perSecond = Math.round((total / (performance.now() - started)) * 1000);
    process.stdout.write(`microsoft emulator load: ${total} requests through the Graph client at ${perSecond} req/s\n`);
    expect(perSecond).toBeGreaterThan(300); // a generous floor: the client shares this process's CPU
  });

  async function fetchJson(url: string) {
    return JSON.parse((await httpsRequest(url, { method: 'GET' }, context.emulator.caCertPem)).body);
  }
});
