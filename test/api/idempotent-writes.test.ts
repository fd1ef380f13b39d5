/**
 * A create that wrote its record but could not start its workflow (Temporal unreachable) answers an
 * error; the client's retry with the same Idempotency-Key must finish that create, not make a second
 * meeting or away period beside one stuck for ever. A key whose request died with the database (its
 * cleanup lost) is taken over once its lease ends. And deleting an away period again finishes the
 * removal instead of answering 404.
 */
import type { Client } from '@temporalio/client';
import request from 'supertest';
import { IN_PROGRESS_LEASE_MS } from '../../api/middleware/idempotency';
import type { Database } from '../../db/client';
import { sha256 } from '../../lib/crypto';
import { ApiTemporalClient } from '../../api/temporal-client';
import { testApp, UNUSED_TIMINGS } from '../support/api';
import { createTestAccount } from '../support/fixtures';
import { testDatabase, testTemporalClient } from '../support/services';

/** Temporal as the API sees it: unreachable for the next `failures` starts, then recording each start. */
class FlakyWorkflows extends ApiTemporalClient {
  failures = 0;
  readonly started: string[] = [];

  private attempt(what: string): void {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('14 UNAVAILABLE: Temporal is restarting');
    }
    this.started.push(what);
  }

  override async scheduleMeeting(meetingId: string): Promise<void> {
    this.attempt(`schedule ${meetingId}`);
  }

  override async syncOutOfOffice(outOfOfficeId: string, change: 'create' | 'delete'): Promise<void> {
    this.attempt(`${change} ${outOfOfficeId}`);
  }
}

describe('keyed creates that failed after writing', () => {
  let db: Database;
  let temporal: Client;
  let workflows: FlakyWorkflows;
  let app: ReturnType<typeof testApp>;
  let auth: { Authorization: string };
  let accountId: string;
  let userId: string;
  let contactId: string;

  beforeAll(async () => {
    db = testDatabase();
    temporal = await testTemporalClient();
    workflows = new FlakyWorkflows(temporal, 'api-tests-no-worker', UNUSED_TIMINGS);
    app = testApp(db, temporal, { temporal: workflows });
    const account = await createTestAccount(db, ['portal.example']);
    auth = account.auth;
    accountId = account.account.id;
    const email = `owner-${account.account.id.slice(0, 8)}@portal.example`;
    const user = await db.user.create({ data: { accountId: account.account.id, email, emailKey: email } });
    userId = user.id;
    await db.calendarConnection.create({ data: { accountId: account.account.id, userId, provider: 'GOOGLE', status: 'ACTIVE', providerEmail: email, connectedAt: new Date() } });
    const contact = await request(app).post('/v1/contacts').set(auth).send({ email: `client-${account.account.id.slice(0, 8)}@customer.example` });
    contactId = contact.body.id;
  });
  afterAll(async () => {
    await db.$disconnect();
    await temporal.connection.close();
  });

  it('schedules one meeting when the retry follows a failed workflow start', async () => {
    const body = { ownerUserId: userId, title: 'Quarterly review', startAt: '2027-01-10T10:00:00Z', endAt: '2027-01-10T11:00:00Z', guestContactIds: [contactId] };
    workflows.failures = 1;
    const first = await request(app).post('/v1/meetings').set(auth).set('Idempotency-Key', 'schedule-1').send(body);
    expect(first.status).toBeGreaterThanOrEqual(500);

    const retry = await request(app).post('/v1/meetings').set(auth).set('Idempotency-Key', 'schedule-1').send(body);
    expect(retry.status).toBe(202);
    expect(workflows.started).toContain(`schedule ${retry.body.id}`);
    const meetings = await request(app).get('/v1/meetings').set(auth);
    expect(meetings.body.items.filter((m: { title: string }) => m.title === 'Quarterly review')).toHaveLength(1);

    // Answered once, the key replays that answer.
    const replay = await request(app).post('/v1/meetings').set(auth).set('Idempotency-Key', 'schedule-1').send(body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(retry.body.id);
  });

  it('a different request under a key that failed is a different meeting', async () => {
    const body = { ownerUserId: userId, title: 'Kick-off', startAt: '2027-01-11T10:00:00Z', endAt: '2027-01-11T11:00:00Z', guestContactIds: [] };
    workflows.failures = 1;
    expect((await request(app).post('/v1/meetings').set(auth).set('Idempotency-Key', 'schedule-2').send(body)).status).toBeGreaterThanOrEqual(500);
    const other = await request(app).post('/v1/meetings').set(auth).set('Idempotency-Key', 'schedule-2').send({ ...body, title: 'Kick-off (renamed)' });
    expect(other.status).toBe(202);
    expect(other.body.title).toBe('Kick-off (renamed)');
  });

  it('sets one away period when the retry follows a failed workflow start, and a second delete finishes the removal', async () => {
    const body = { startAt: '2027-02-01T00:00:00Z', endAt: '2027-02-05T00:00:00Z', title: 'Holiday' };
    workflows.failures = 1;
    expect((await request(app).post(`/v1/users/${userId}/out-of-office`).set(auth).set('Idempotency-Key', 'away-1').send(body)).status).toBeGreaterThanOrEqual(500);
    const retry = await request(app).post(`/v1/users/${userId}/out-of-office`).set(auth).set('Idempotency-Key', 'away-1').send(body);
    expect(retry.status).toBe(202);
    expect(workflows.started).toContain(`create ${retry.body.id}`);
    expect((await request(app).get(`/v1/users/${userId}/out-of-office`).set(auth)).body.items).toHaveLength(1);

    workflows.failures = 1;
    expect((await request(app).delete(`/v1/users/${userId}/out-of-office/${retry.body.id}`).set(auth)).status).toBeGreaterThanOrEqual(500);
    expect((await request(app).get(`/v1/users/${userId}/out-of-office`).set(auth)).body.items).toHaveLength(0);
    const again = await request(app).delete(`/v1/users/${userId}/out-of-office/${retry.body.id}`).set(auth);
    expect(again.status).toBe(202);
    expect(workflows.started).toContain(`delete ${retry.body.id}`);
    // A period that never existed is still not found.
    expect((await request(app).delete(`/v1/users/${userId}/out-of-office/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`).set(auth)).status).toBe(404);
  });

  it('answers 409 while a key is in progress, and lets a retry take over a key whose request died', async () => {
    const body = { startAt: '2027-03-01T00:00:00Z', endAt: '2027-03-02T00:00:00Z' };
    const post = (key: string) => request(app).post(`/v1/users/${userId}/out-of-office`).set(auth).set('Idempotency-Key', key).send(body);
    // As the middleware leaves a key when the database went away before it could clean up.
    const stuck = (key: string, age: number) =>
      db.idempotencyKey.create({
        data: { accountId, key, requestHash: sha256(JSON.stringify(['POST', `/v1/users/${userId}/out-of-office`, body])), responseStatus: 0, responseBody: {}, createdAt: new Date(Date.now() - age) },
      });

    await stuck('away-running', 1_000);
    const running = await post('away-running');
    expect(running.status).toBe(409);
    expect(running.body.error.code).toBe('idempotency_key_in_progress');

    await stuck('away-dead', IN_PROGRESS_LEASE_MS + 5_000);
    const takenOver = await post('away-dead');
    expect(takenOver.status).toBe(202);
    expect((await post('away-dead')).headers['idempotent-replayed']).toBe('true');
  });
});
