import request from 'supertest';
import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { testApp } from '../support/api';
import { createTestAccount } from '../support/fixtures';
import { testDatabase, testTemporalClient } from '../support/services';

const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';

describe('OpenAPI document', () => {
  let db: Database;
  let temporal: Client;
  let app: ReturnType<typeof testApp>;
  beforeAll(async () => {
    db = testDatabase();
    temporal = await testTemporalClient();
    app = testApp(db, temporal);
  });
  afterAll(async () => {
    await db.$disconnect();
    await temporal.connection.close();
  });

  it('is served without authentication and describes request bodies from the validation schemas', async () => {
    const response = await request(app).get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const schedule = response.body.paths['/v1/meetings'].post.requestBody.content['application/json'].schema;
    expect(schedule.required).toEqual(expect.arrayContaining(['ownerUserId', 'title', 'startAt', 'endAt']));
    expect(schedule.additionalProperties).toBe(false);
  });

  it('documents only routes that exist', async () => {
    const { auth } = await createTestAccount(db);
    const { body } = await request(app).get('/openapi.json');
    const methods = ['get', 'post', 'patch', 'delete'] as const;
    const missing: string[] = [];
    for (const [template, item] of Object.entries<Record<string, unknown>>(body.paths)) {
      const path = template.replace(/\{[^}]+\}/g, SAMPLE_ID);
      for (const method of methods.filter((m) => item[m])) {
        // Empty bodies may fail validation (400) and sample ids may be unknown (404 "… not found"),
        // but an undocumented route answers "route … not found".
        const response = await request(app)[method](path).set(auth).send({});
        if (response.body?.error?.message?.startsWith('route ')) missing.push(`${method.toUpperCase()} ${template}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
