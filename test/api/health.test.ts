import crypto from 'node:crypto';
import request from 'supertest';
import type { Client } from '@temporalio/client';
import { createDatabase, type Database } from '../../db/client';
import { testApp } from '../support/api';
import { createTestAccount } from '../support/fixtures';
import { testDatabase, testTemporalClient } from '../support/services';

describe('health endpoints', () => {
  let db: Database;
  let temporal: Client;
  beforeAll(async () => {
    db = testDatabase();
    temporal = await testTemporalClient();
  });
  afterAll(async () => {
    await db.$disconnect();
    await temporal.connection.close();
  });

  it('/healthz answers while the process lives', async () => {
    const res = await request(testApp(db, temporal)).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when the database and Temporal both answer', async () => {
    const res = await request(testApp(db, temporal)).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ database: 'ok', temporal: 'ok' });
  });

  it('/readyz answers 503 naming the database when it is unreachable', async () => {
    const unreachable = createDatabase({ url: 'postgresql://nobody:nothing@127.0.0.1:1/none', maxConnections: 1 });
    const res = await request(testApp(unreachable, temporal)).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ database: 'unavailable', temporal: 'ok' });
    // Unauthenticated: nothing about where the database is or who connects to it.
    expect(res.text).not.toMatch(/127\.0\.0\.1|nobody|none/);
    await unreachable.$disconnect();
  });

  it('answers 503 with Retry-After, not 500, while the database is unreachable', async () => {
    const unreachable = createDatabase({ url: 'postgresql://nobody:nothing@127.0.0.1:1/none', maxConnections: 1 });
    const res = await request(testApp(unreachable, temporal)).get('/v1/contacts').set('Authorization', 'Bearer any-key');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error).toEqual({ code: 'unavailable', message: expect.stringMatching(/retry/) });
    await unreachable.$disconnect();
  });

  it('/metrics serves Prometheus text including request durations', async () => {
    const app = testApp(db, temporal);
    await request(app).get('/healthz');
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/);
  });

  it('/metrics labels requests by route template, so ids never become label values', async () => {
    const app = testApp(db, temporal);
    const { auth } = await createTestAccount(db);
    const ids = Array.from({ length: 5 }, () => crypto.randomUUID());
    for (const id of ids) {
      await request(app).get(`/v1/contacts/${id}`).set(auth).expect(404);
      await request(app).get(`/v1/users/${id}/out-of-office`).set(auth).expect(404);
    }
    const res = await request(app).get('/metrics');
    const routes = new Set([...res.text.matchAll(/^http_request_duration_seconds_count\{[^}]*route="([^"]+)"/gm)].map((m) => m[1]));
    expect(routes).toEqual(new Set(['/v1/contacts/:id', '/v1/users/:userId/out-of-office']));
    for (const id of ids) expect(res.text).not.toContain(id);
  });

  it('/metrics tells operators how many connections are in each state and how stale the stalest one is', async () => {
    const { account } = await createTestAccount(db);
    const connect = async (label: string, provider: 'GOOGLE' | 'MICROSOFT', status: 'ACTIVE' | 'NEEDS_REAUTH', lastSyncAt: Date | null) => {
      const email = `${label}-${account.id.slice(0, 8)}@portal.example`;
      const user = await db.user.create({ data: { accountId: account.id, email, emailKey: email } });
      await db.calendarConnection.create({ data: { accountId: account.id, userId: user.id, provider, status, providerEmail: email, connectedAt: new Date(Date.now() - 7 * 86_400_000), lastSyncAt } });
    };
    await connect('stalled', 'MICROSOFT', 'ACTIVE', new Date(Date.now() - 2 * 86_400_000));
    await connect('revoked', 'GOOGLE', 'NEEDS_REAUTH', new Date());
    await connect('never-synced', 'GOOGLE', 'ACTIVE', null);

    const res = await request(testApp(db, temporal)).get('/metrics');
    expect(res.status).toBe(200);
    const sample = (name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(res.text)?.[1]);
    expect(sample('calendar_connections', 'provider="GOOGLE",status="NEEDS_REAUTH"')).toBeGreaterThanOrEqual(1);
    expect(sample('calendar_connections', 'provider="MICROSOFT",status="ACTIVE"')).toBeGreaterThanOrEqual(1);
    expect(sample('calendar_connection_oldest_sync_age_seconds', 'provider="MICROSOFT"')).toBeGreaterThanOrEqual(2 * 86_400);
    // Never synced counts from when it connected.
    expect(sample('calendar_connection_oldest_sync_age_seconds', 'provider="GOOGLE"')).toBeGreaterThanOrEqual(7 * 86_400);
  });

  it('/metrics still answers when the database does not', async () => {
    const unreachable = createDatabase({ url: 'postgresql://nobody:nothing@127.0.0.1:1/none', maxConnections: 1 });
    const res = await request(testApp(unreachable, temporal)).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^# TYPE calendar_connections gauge$/m);
    expect(res.text).not.toMatch(/^calendar_connections\{/m);
    await unreachable.$disconnect();
  });
});
