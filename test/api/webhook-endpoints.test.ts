/**
 * Event webhook endpoints through the API: registered with a secret shown once and stored sealed,
 * listed, read, changed, deleted, rotated; URLs checked against the environment (https in production,
 * http to loopback outside it); the delivery log and redelivery; another account's endpoints are 404.
 */
import request from 'supertest';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import type { Database } from '../../db/client';
import { signingSecrets } from '../../event-webhooks/endpoints';
import { generateKey, SecretBox } from '../../lib/crypto';
import { testApp } from '../support/api';
import { createTestAccount } from '../support/fixtures';
import { testDatabase, testTemporalClient } from '../support/services';

const RETRY_FOR_MS = 3_600_000;

describe('event webhook endpoints', () => {
  const secrets = new SecretBox(generateKey());
  let db: Database;
  let temporal: Client;
  let app: Express;
  let production: Express;
  beforeAll(async () => {
    db = testDatabase();
    temporal = await testTemporalClient();
    app = testApp(db, temporal, { secrets, eventWebhooks: { production: false, retryForMs: RETRY_FOR_MS } });
    production = testApp(db, temporal, { secrets, eventWebhooks: { production: true, retryForMs: RETRY_FOR_MS } });
  });
  afterAll(async () => {
    await db.$disconnect();
    await temporal.connection.close();
  });

  const register = (auth: Record<string, string>, body: object, on = app) => request(on).post('/v1/webhook-endpoints').set(auth).send(body);

  it('registers an endpoint and shows its secret once; it is stored sealed', async () => {
    const { auth } = await createTestAccount(db);
    const created = await register(auth, { url: 'https://hooks.example.com/crm', eventTypes: ['meeting.created', 'connection.needs_reauth', 'meeting.created'], description: 'Data warehouse' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      url: 'https://hooks.example.com/crm',
      description: 'Data warehouse',
      eventTypes: ['meeting.created', 'connection.needs_reauth'],
      enabled: true,
      disabledReason: null,
      previousSecretExpiresAt: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{44}$/),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.encryptedSecret).not.toContain(created.body.secret.slice(6));
    expect(signingSecrets(secrets, row)).toEqual([created.body.secret]);

    const { secret: _shownOnce, ...view } = created.body;
    expect((await request(app).get(`/v1/webhook-endpoints/${created.body.id}`).set(auth).expect(200)).body).toEqual(view);
    const list = await request(app).get('/v1/webhook-endpoints').set(auth).expect(200);
    expect(list.body).toEqual({ items: [view], next: null });
  });

  it('checks URLs: https, and http only to loopback outside production; production refuses loopback', async () => {
    const { auth } = await createTestAccount(db);
    const types = { eventTypes: ['meeting.created'] };
    expect((await register(auth, { url: 'http://127.0.0.1:8080/hooks', ...types })).status).toBe(201);
    expect((await register(auth, { url: 'http://localhost:8080/hooks', ...types })).status).toBe(201);
    const refused = await register(auth, { url: 'http://hooks.example.com/crm', ...types });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([{ field: 'url', problem: 'must be an https URL (http only to a loopback address, outside production)' }]);

    expect((await register(auth, { url: 'https://hooks.example.com/crm', ...types }, production)).status).toBe(201);
    for (const [url, problem] of [
      ['http://hooks.example.com/crm', 'must be an https URL'],
      ['http://127.0.0.1:8080/hooks', 'must be an https URL'],
      ['https://127.0.0.1/hooks', 'must not be a loopback address in production'],
      ['https://user:secret@hooks.example.com/', 'must not contain credentials'],
      ['not a url', 'must be an absolute URL'],
    ]) {
      const answer = await register(auth, { url, ...types }, production);
      expect({ url, status: answer.status, details: answer.body.error?.details }).toEqual({ url, status: 400, details: [{ field: 'url', problem }] });
    }
    // A change of URL is checked the same way.
    const { body } = await register(auth, { url: 'https://hooks.example.com/a', ...types }, production);
    const patched = await request(production).patch(`/v1/webhook-endpoints/${body.id}`).set(auth).send({ url: 'http://127.0.0.1/b' });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details).toEqual([{ field: 'url', problem: 'must be an https URL' }]);
  });

  it('refuses unknown event types, an empty list, unknown fields and an empty PATCH, naming the field', async () => {
    const { account, auth } = await createTestAccount(db);
    const cases: [object, string][] = [
      [{ url: 'https://hooks.example.com/', eventTypes: ['meeting.deleted'] }, 'eventTypes.0'],
      [{ url: 'https://hooks.example.com/', eventTypes: [] }, 'eventTypes'],
      [{ eventTypes: ['meeting.created'] }, 'url'],
      [{ url: 'https://hooks.example.com/', eventTypes: ['meeting.created'], secret: 'mine' }, 'body'],
    ];
    for (const [body, field] of cases) {
      const answer = await register(auth, body);
      expect({ body, status: answer.status, fields: answer.body.error.details.map((d: { field: string }) => d.field) }).toEqual({ body, status: 400, fields: [field] });
    }
    expect(await db.webhookEndpoint.count({ where: { accountId: account.id } })).toBe(0);
    const { body } = await register(auth, { url: 'https://hooks.example.com/', eventTypes: ['meeting.created'] });
    const empty = await request(app).patch(`/v1/webhook-endpoints/${body.id}`).set(auth).send({});
    expect(empty.status).toBe(400);
    expect(empty.body.error.details).toEqual([{ field: 'body', problem: 'names no field to change' }]);
  });

  it('changes event types, disables and enables (asking the dispatcher to resume), and deletes', async () => {
    const { auth } = await createTestAccount(db);
    const { body } = await register(auth, { url: 'https://hooks.example.com/', eventTypes: ['meeting.created'] });
    const changed = await request(app).patch(`/v1/webhook-endpoints/${body.id}`).set(auth).send({ eventTypes: ['meeting.cancelled', 'connection.disconnected'], enabled: false, description: null });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ eventTypes: ['meeting.cancelled', 'connection.disconnected'], enabled: false, description: null });
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: body.id } })).kickRequestedAt).toBeNull();

    // Disabled by the service (410 Gone), enabled again through the API: the reason goes, a kick is asked for.
    await db.webhookEndpoint.update({ where: { id: body.id }, data: { disabledReason: 'the endpoint answered 410 Gone' } });
    const enabled = await request(app).patch(`/v1/webhook-endpoints/${body.id}`).set(auth).send({ enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: body.id } })).kickRequestedAt).not.toBeNull();

    await request(app).delete(`/v1/webhook-endpoints/${body.id}`).set(auth).expect(204);
    await request(app).get(`/v1/webhook-endpoints/${body.id}`).set(auth).expect(404);
    await request(app).delete(`/v1/webhook-endpoints/${body.id}`).set(auth).expect(404);
  });

  it('rotates the secret: the old one keeps signing alongside for the grace period, or not at all', async () => {
    const { auth } = await createTestAccount(db);
    const { body } = await register(auth, { url: 'https://hooks.example.com/', eventTypes: ['meeting.created'] });
    const rotated = await request(app).post(`/v1/webhook-endpoints/${body.id}/rotate-secret`).set(auth).send({ graceSeconds: 3600 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(body.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(3_500_000);
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: body.id } });
    expect(signingSecrets(secrets, row)).toEqual([rotated.body.secret, body.secret]);
    expect(signingSecrets(secrets, row, new Date(Date.now() + 3_601_000))).toEqual([rotated.body.secret]);
    expect((await request(app).get(`/v1/webhook-endpoints/${body.id}`).set(auth).expect(200)).body.secret).toBeUndefined();

    const now = await request(app).post(`/v1/webhook-endpoints/${body.id}/rotate-secret`).set(auth).send({ graceSeconds: 0 });
    expect(now.body.previousSecretExpiresAt).toBeNull();
    expect(signingSecrets(secrets, await db.webhookEndpoint.findUniqueOrThrow({ where: { id: body.id } }))).toEqual([now.body.secret]);
    expect((await request(app).post(`/v1/webhook-endpoints/${body.id}/rotate-secret`).set(auth).send({ graceSeconds: -1 })).status).toBe(400);
  });

  it('shows the delivery log newest first, one delivery with its payload, and queues a redelivery', async () => {
    const { account, auth } = await createTestAccount(db);
    const { body: endpoint } = await register(auth, { url: 'https://hooks.example.com/', eventTypes: ['meeting.created', 'meeting.updated'] });
    // A meeting change writes the events (triggers); deliveries are the dispatcher's, made here by hand.
    const meeting = await db.meeting.create({ data: { accountId: account.id, title: 'Intro', startAt: new Date('2026-12-10T10:00:00Z'), endAt: new Date('2026-12-10T10:30:00Z'), status: 'SCHEDULED', source: 'CRM' } });
    await db.meeting.update({ where: { id: meeting.id }, data: { title: 'Intro (moved)' } });
    const events = await db.webhookEvent.findMany({ where: { subjectId: meeting.id }, orderBy: { id: 'asc' } });
    expect(events.map((event) => event.type)).toEqual(['meeting.created', 'meeting.updated']);
    const past = new Date(Date.now() - 1000);
    const [failed, delivered] = await Promise.all([
      db.webhookDelivery.create({ data: { endpointId: endpoint.id, eventId: events[0]!.id, status: 'FAILED', attempts: 9, lastStatusCode: 503, lastError: 'HTTP 503: down', lastAttemptAt: past, giveUpAt: past } }),
      db.webhookDelivery.create({ data: { endpointId: endpoint.id, eventId: events[1]!.id, status: 'DELIVERED', attempts: 1, lastStatusCode: 200, lastAttemptAt: past, deliveredAt: past, giveUpAt: past } }),
    ]);

    const log = await request(app).get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`).set(auth).expect(200);
    expect(log.body.items.map((d: { id: string }) => d.id)).toEqual([delivered.id, failed.id]);
    expect(log.body.items[1]).toEqual({
      id: failed.id,
      endpointId: endpoint.id,
      event: { id: `evt_${events[0]!.id}`, type: 'meeting.created', timestamp: events[0]!.createdAt.toISOString() },
      status: 'FAILED',
      attempts: 9,
      lastStatusCode: 503,
      lastError: 'HTTP 503: down',
      lastAttemptAt: past.toISOString(),
      deliveredAt: null,
      giveUpAt: past.toISOString(),
      createdAt: expect.any(String),
    });
    const page = await request(app).get(`/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=1`).set(auth).expect(200);
    expect(page.body.next).toBe(delivered.id);
    const rest = await request(app).get(`/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=1&after=${page.body.next}`).set(auth).expect(200);
    expect(rest.body.items.map((d: { id: string }) => d.id)).toEqual([failed.id]);
    const onlyFailed = await request(app).get(`/v1/webhook-endpoints/${endpoint.id}/deliveries?status=FAILED`).set(auth).expect(200);
    expect(onlyFailed.body.items.map((d: { id: string }) => d.id)).toEqual([failed.id]);

    const one = await request(app).get(`/v1/webhook-endpoints/${endpoint.id}/deliveries/${failed.id}`).set(auth).expect(200);
    expect(one.body.payload).toEqual({ id: `evt_${events[0]!.id}`, type: 'meeting.created', timestamp: events[0]!.createdAt.toISOString(), data: expect.objectContaining({ id: meeting.id, title: 'Intro' }) });

    const again = await request(app).post(`/v1/webhook-endpoints/${endpoint.id}/deliveries/${failed.id}/redeliver`).set(auth).expect(202);
    expect(again.body).toMatchObject({ id: failed.id, status: 'PENDING', attempts: 9 });
    expect(Date.parse(again.body.giveUpAt) - Date.now()).toBeGreaterThan(RETRY_FOR_MS - 60_000);
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).kickRequestedAt).not.toBeNull();
  });

  it('answers 404 for another account’s endpoints and deliveries', async () => {
    const owner = await createTestAccount(db);
    const other = await createTestAccount(db);
    const { body: endpoint } = await register(owner.auth, { url: 'https://hooks.example.com/', eventTypes: ['meeting.created'] });
    const delivery = '00000000-0000-4000-8000-000000000000';
    await request(app).get(`/v1/webhook-endpoints/${endpoint.id}`).set(other.auth).expect(404);
    await request(app).patch(`/v1/webhook-endpoints/${endpoint.id}`).set(other.auth).send({ enabled: false }).expect(404);
    await request(app).delete(`/v1/webhook-endpoints/${endpoint.id}`).set(other.auth).expect(404);
    await request(app).post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`).set(other.auth).send({}).expect(404);
    await request(app).get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`).set(other.auth).expect(404);
    await request(app).post(`/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivery}/redeliver`).set(other.auth).expect(404);
    await request(app).post(`/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivery}/redeliver`).set(owner.auth).expect(404);
    expect((await request(app).get('/v1/webhook-endpoints').set(other.auth).expect(200)).body.items).toEqual([]);
    await request(app).get('/v1/webhook-endpoints/not-a-uuid').set(owner.auth).expect(400);
  });
});
