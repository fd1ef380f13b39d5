import request from 'supertest';
import type { Client } from '@temporalio/client';
import { createDatabase, type Database } from '../../db/client';
import { testApp } from '../support/api';
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
    expect(res.body.checks.database).toMatch(/^unavailable/);
    expect(res.body.checks.temporal).toBe('ok');
    await unreachable.$disconnect();
  });

  it('/metrics serves Prometheus text including request durations', async () => {
    const app = testApp(db, temporal);
    await request(app).get('/healthz');
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/);
  });
});
