/**
 * Event webhooks end to end (issue 14, item 3), on both providers: changes synced from a calendar
 * reach a local HTTP endpoint as signed Standard Webhooks deliveries that pass the README's check
 * (`verifyWebhook`), one meeting's events in order; a revoked grant is told as
 * `connection.needs_reauth`; an endpoint that is down, slow or failing for good is retried with
 * backoff, bounded by the request timeout, never holding up the sync, and redelivered through the
 * API; and nothing is lost while the worker is stopped. Backoff and retry period are shrunk to
 * fractions of a second and seconds; every wait is on a condition.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { E2E_PROVIDERS, inDays } from '../../devstack/emulators/calendar-actions';
import { verifyWebhook } from '../../event-webhooks/signing';
import { providerSuite } from '../support/provider-suite';
import { waitFor, type TestAccount } from '../support/sync-harness';

const ENV = {
  SYNC_POLL_INTERVAL: '1h',
  EVENT_WEBHOOK_DISPATCH_INTERVAL: '100ms',
  EVENT_WEBHOOK_RETRY_INITIAL_INTERVAL: '200ms',
  EVENT_WEBHOOK_RETRY_MAX_INTERVAL: '1s',
  // Long enough that a worker stopped and started again on a loaded machine finds its retries still due.
  EVENT_WEBHOOK_RETRY_FOR: '30s',
  EVENT_WEBHOOK_REQUEST_TIMEOUT: '2s',
};

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

type Behaviour = () => number | 'hang';

/** A local endpoint: one path per test, each answering as its behaviour says, every request kept. */
class Receiver {
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private readonly received = new Map<string, Received[]>();
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly hanging = new Set<http.ServerResponse>();
  private base = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A new path answering 200 unless `answer` changes it. */
  endpoint(answer: Behaviour = () => 200) {
    const path = `/hooks/${randomUUID()}`;
    this.behaviours.set(path, answer);
    return {
      url: `${this.base}${path}`,
      answer: (behaviour: Behaviour) => this.behaviours.set(path, behaviour),
      requests: () => this.received.get(path) ?? [],
    };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      const answer = (this.behaviours.get(path) ?? (() => 404))();
      const list = this.received.get(path) ?? [];
      this.received.set(path, list);
      list.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: answer === 'hang' ? 0 : answer });
      if (answer === 'hang') {
        this.hanging.add(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'ok' : 'endpoint unavailable');
    });
  }
}

describe.each(E2E_PROVIDERS)('event webhooks on %s', (provider) => {
  const suite = providerSuite(provider, ENV);
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  /** An account with an endpoint for `eventTypes`, then a connected user and a contact. */
  async function subscribed(eventTypes: string[], answer?: Behaviour) {
    const { harness } = suite;
    const account = await harness.newAccount(['portal.example']);
    const endpoint = receiver.endpoint(answer);
    const registered = await harness.http().post('/v1/webhook-endpoints').set(account.auth).send({ url: endpoint.url, eventTypes });
    expect(registered.status).toBe(201);
    const tag = `${provider.toLowerCase()}-${randomUUID().slice(0, 8)}`;
    const user = await harness.newUser(account, `owner-${tag}@portal.example`);
    const contactEmail = `client-${tag}@customer.example`;
    const contactId = await harness.newContact(account, contactEmail);
    const connectionId = await harness.connect(account, user, provider);
    const secret: string = registered.body.secret;
    return {
      account,
      user,
      contactEmail,
      contactId,
      connectionId,
      endpoint,
      endpointId: registered.body.id as string,
      /** Every request received, each checked with the documented verification. */
      verified: () => endpoint.requests().map((request) => ({ ...request, event: verifyWebhook(secret, request.headers, request.body) })),
    };
  }
  type Subscription = Awaited<ReturnType<typeof subscribed>>;

  const deliveries = async (account: TestAccount, endpointId: string) => {
    const response = await suite.harness.http().get(`/v1/webhook-endpoints/${endpointId}/deliveries`).set(account.auth);
    expect(response.status).toBe(200);
    return response.body.items as Record<string, any>[];
  };

  /** The delivery log's entry for the event of `type` about `subjectId`, once `predicate` holds. */
  const deliveryWhere = (subscription: Subscription, type: string, predicate: (delivery: Record<string, any>) => boolean, what: string) =>
    waitFor(async () => {
      for (const delivery of await deliveries(subscription.account, subscription.endpointId)) {
        if (delivery.event.type === type && predicate(delivery)) return delivery;
      }
      return undefined;
    }, what);

  const received = (subscription: Subscription, type: string, predicate: (data: Record<string, any>) => boolean = () => true) =>
    waitFor(() => subscription.verified().find((request) => request.status === 200 && request.event.type === type && predicate(request.event.data)), `a ${type} delivered`);

  const syncedMeeting = async (subscription: Subscription, title: string) => {
    await suite.calendar.createEvent(subscription.user.email, { title, start: inDays(3, 10), end: inDays(3, 11), guests: [subscription.contactEmail] });
    return waitFor(async () => (await suite.harness.timeline(subscription.account, subscription.contactId)).find((meeting) => meeting.title === title), `${title} on the timeline`);
  };

  it('delivers meeting.created, .updated and .cancelled of a synced meeting, signed and in order', async () => {
    const subscription = await subscribed(['meeting.created', 'meeting.updated', 'meeting.cancelled']);
    const { user, contactEmail } = subscription;
    const eventId = await suite.calendar.createEvent(user.email, { title: 'Kickoff', start: inDays(2, 10), end: inDays(2, 11), guests: [contactEmail] });
    const created = await received(subscription, 'meeting.created', (data) => data.title === 'Kickoff');

    // Standard Webhooks headers; the id is the event's, the timestamp this attempt's.
    expect(created.headers['content-type']).toBe('application/json');
    expect(created.headers['webhook-id']).toBe(created.event.id);
    expect(created.event.id).toMatch(/^evt_\d+$/);
    expect(Math.abs(Number(created.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(created.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(created.event).toEqual({
      id: created.event.id,
      type: 'meeting.created',
      timestamp: expect.any(String),
      data: expect.objectContaining({ title: 'Kickoff', status: 'SCHEDULED', source: 'CALENDAR', startAt: inDays(2, 10), endAt: inDays(2, 11), allDay: false }),
    });
    const meetingId = created.event.data.id as string;
    const meeting = await suite.harness.http().get(`/v1/meetings/${meetingId}`).set(subscription.account.auth);
    expect(meeting.body).toMatchObject({ id: meetingId, title: 'Kickoff' });

    await suite.calendar.updateEvent(user.email, eventId, { title: 'Kickoff (moved)', start: inDays(2, 14), end: inDays(2, 15) });
    await received(subscription, 'meeting.updated', (data) => data.id === meetingId && data.title === 'Kickoff (moved)');
    await suite.calendar.deleteEvent(user.email, eventId);
    await received(subscription, 'meeting.cancelled', (data) => data.id === meetingId && data.status === 'CANCELLED');

    // In order: each event after the one before it (ids increase with every event).
    const events = subscription.verified().map((request) => request.event).filter((event) => event.data.id === meetingId);
    const numbers = events.map((event) => Number(event.id.slice(4)));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(events[0]!.type).toBe('meeting.created');
    expect(events[events.length - 1]!.type).toBe('meeting.cancelled');

    // The delivery log: each delivered at its first attempt.
    const log = await deliveries(subscription.account, subscription.endpointId);
    expect(log.length).toBe(new Set(events.map((event) => event.id)).size);
    for (const entry of log) expect(entry).toMatchObject({ status: 'DELIVERED', attempts: 1, lastStatusCode: 200, lastError: null, deliveredAt: expect.any(String) });
  });

  it('tells connection.needs_reauth, signed, once the grant is revoked', async () => {
    const subscription = await subscribed(['connection.active', 'connection.needs_reauth']);
    const active = await received(subscription, 'connection.active');
    expect(active.event.data).toMatchObject({ id: subscription.connectionId, userId: subscription.user.id, provider, status: 'ACTIVE', user: { email: subscription.user.email } });

    suite.calendar.revokeGrant(subscription.user.email);
    suite.calendar.expireAccessTokens(subscription.user.email);
    await suite.calendar.createEvent(subscription.user.email, { title: 'While revoked', start: inDays(4, 9), end: inDays(4, 10), guests: [subscription.contactEmail] });
    const reauth = await received(subscription, 'connection.needs_reauth');
    expect(reauth.event.data).toMatchObject({ id: subscription.connectionId, provider, status: 'NEEDS_REAUTH', statusReason: expect.stringMatching(/reconnect/) });
    expect(Number(reauth.event.id.slice(4))).toBeGreaterThan(Number(active.event.id.slice(4)));
    expect((await suite.harness.connection(subscription.account, subscription.user.id)).status).toBe('NEEDS_REAUTH');
  });

  it('redelivers a connection.needs_reauth that failed while the endpoint was down; it verifies', async () => {
    let answer = 503;
    const subscription = await subscribed(['connection.needs_reauth'], () => answer);
    suite.calendar.revokeGrant(subscription.user.email);
    suite.calendar.expireAccessTokens(subscription.user.email);
    await suite.calendar.createEvent(subscription.user.email, { title: 'Revoked while down', start: inDays(4, 11), end: inDays(4, 12), guests: [subscription.contactEmail] });
    const failed = await deliveryWhere(subscription, 'connection.needs_reauth', (d) => d.status === 'FAILED', 'connection.needs_reauth failed while the endpoint was down');
    expect(failed).toMatchObject({ lastStatusCode: 503, deliveredAt: null });

    answer = 200;
    await suite.harness.http().post(`/v1/webhook-endpoints/${subscription.endpointId}/deliveries/${failed.id}/redeliver`).set(subscription.account.auth).expect(202);
    const reauth = await received(subscription, 'connection.needs_reauth');
    expect(reauth.event).toMatchObject({ id: failed.event.id, data: { id: subscription.connectionId, status: 'NEEDS_REAUTH' } });
    expect(await deliveryWhere(subscription, 'connection.needs_reauth', (d) => d.status === 'DELIVERED', 'the redelivery logged')).toMatchObject({ lastStatusCode: 200 });
  });

  it('retries an endpoint that is down with backoff, under the same webhook-id, until it is up', async () => {
    let answer = 503;
    const subscription = await subscribed(['meeting.created'], () => answer);
    await syncedMeeting(subscription, 'While down');
    const failing = await deliveryWhere(subscription, 'meeting.created', (d) => d.attempts >= 2, 'two failed attempts');
    expect(failing).toMatchObject({ status: 'PENDING', lastStatusCode: 503, lastError: 'HTTP 503: endpoint unavailable', deliveredAt: null });

    answer = 200;
    const delivered = await deliveryWhere(subscription, 'meeting.created', (d) => d.status === 'DELIVERED', 'the delivery once the endpoint is up');
    expect(delivered).toMatchObject({ lastStatusCode: 200, lastError: null, deliveredAt: expect.any(String) });
    expect(delivered.attempts).toBeGreaterThanOrEqual(3);
    // Every attempt was signed and verifies, with one id: receivers tell a retry by it.
    const attempts = subscription.verified();
    expect(attempts.length).toBe(delivered.attempts);
    expect(new Set(attempts.map((attempt) => attempt.headers['webhook-id']))).toEqual(new Set([delivered.event.id]));
    expect(attempts.map((attempt) => attempt.status)).toEqual([...attempts.slice(0, -1).map(() => 503), 200]);
  });

  it('bounds a slow endpoint by the request timeout; the sync goes on meanwhile', async () => {
    let answer: number | 'hang' = 'hang';
    const subscription = await subscribed(['meeting.created'], () => answer);
    await syncedMeeting(subscription, 'Slow endpoint');
    const timedOut = await deliveryWhere(subscription, 'meeting.created', (d) => d.attempts >= 1 && d.lastError !== null, 'an attempt timed out');
    expect(timedOut).toMatchObject({ status: 'PENDING', lastStatusCode: null, lastError: 'no answer within 2 s' });
    // A hanging endpoint holds up nothing but its own deliveries: the next change syncs as usual.
    await syncedMeeting(subscription, 'Synced meanwhile');

    answer = 200;
    await received(subscription, 'meeting.created', (data) => data.title === 'Slow endpoint');
    await received(subscription, 'meeting.created', (data) => data.title === 'Synced meanwhile');
  });

  it('marks a delivery failed once its retry period is over, and redelivers it through the API', async () => {
    let answer = 500;
    const subscription = await subscribed(['meeting.created'], () => answer);
    await syncedMeeting(subscription, 'Failed for good');
    const failed = await deliveryWhere(subscription, 'meeting.created', (d) => d.status === 'FAILED', 'the delivery failed for good');
    expect(failed).toMatchObject({ lastStatusCode: 500, lastError: 'HTTP 500: endpoint unavailable', deliveredAt: null });
    expect(failed.attempts).toBeGreaterThanOrEqual(2);
    const failedAttempts = subscription.endpoint.requests().length;

    answer = 200;
    const redelivered = await suite.harness.http().post(`/v1/webhook-endpoints/${subscription.endpointId}/deliveries/${failed.id}/redeliver`).set(subscription.account.auth);
    expect(redelivered.status).toBe(202);
    expect(redelivered.body).toMatchObject({ id: failed.id, status: 'PENDING' });
    const delivered = await deliveryWhere(subscription, 'meeting.created', (d) => d.id === failed.id && d.status === 'DELIVERED', 'the redelivery');
    expect(delivered.attempts).toBe(failed.attempts + 1);
    const last = subscription.verified().at(-1)!;
    expect(last).toMatchObject({ status: 200, event: { id: failed.event.id, type: 'meeting.created', data: { title: 'Failed for good' } } });
    expect(subscription.endpoint.requests().length).toBe(failedAttempts + 1);
  });

  it('loses nothing while the worker is stopped: pending retries and events written meanwhile are delivered, in order', async () => {
    let answer = 503;
    const subscription = await subscribed(['meeting.created', 'meeting.updated'], () => answer);
    const meeting = await syncedMeeting(subscription, 'Across a restart');
    await deliveryWhere(subscription, 'meeting.created', (d) => d.attempts >= 1, 'a failed attempt before the stop');

    await suite.harness.stopWorker();
    try {
      // A CRM edit while no worker runs: its event waits in the outbox.
      const edit = await suite.harness.http().patch(`/v1/meetings/${meeting.id}`).set(subscription.account.auth).send({ title: 'Across a restart (edited)' });
      expect(edit.status).toBe(200);
      const waiting = await suite.harness.db.webhookEvent.findMany({ where: { subjectId: meeting.id, type: 'meeting.updated' } });
      expect(waiting.map((event) => event.dispatchedAt)).toEqual([null]);
      answer = 200;
    } finally {
      await suite.harness.startWorker();
    }

    const updated = await received(subscription, 'meeting.updated', (data) => data.title === 'Across a restart (edited)');
    const created = await received(subscription, 'meeting.created');
    const firstSuccess = (type: string) => subscription.verified().findIndex((request) => request.status === 200 && request.event.type === type);
    expect(firstSuccess('meeting.created')).toBeLessThan(firstSuccess('meeting.updated'));
    expect(Number(created.event.id.slice(4))).toBeLessThan(Number(updated.event.id.slice(4)));
    const log = await deliveries(subscription.account, subscription.endpointId);
    expect(log.map((entry) => [entry.event.type, entry.status])).toEqual([
      ['meeting.updated', 'DELIVERED'],
      ['meeting.created', 'DELIVERED'],
    ]);
  });
});
