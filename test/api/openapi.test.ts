/**
 * The OpenAPI document is generated from the routers' registrations (api/routes.ts): it describes
 * requests with the validation schemas, every served route is documented and every documented one
 * served, each with its own operationId, and real answers match the documented response schemas.
 */
import type { Client } from '@temporalio/client';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Express } from 'express';
import request from 'supertest';
import type { Database } from '../../db/client';
import { openApiPath } from '../../api/routes';
import { testApp, useTestApp } from '../support/api';
import { createTestAccount } from '../support/fixtures';
import { testDatabase, testTemporalClient } from '../support/services';

const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';
const METHODS = ['get', 'post', 'patch', 'delete'] as const;

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
  slash?: boolean;
}

/** `GET /v1/meetings/{id}`, … for every route the app serves, walking mounted routers as Express does. */
function servedRoutes(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${openApiPath(`${prefix}${layer.route!.path}`)}`);
    if (!layer.handle?.stack) return [];
    return servedRoutes(layer.handle.stack, `${prefix}${layer.slash || typeof layer.rawPath !== 'string' ? '' : layer.rawPath}`);
  });
}

function documentedOperations(document: { paths: Record<string, Record<string, { operationId?: string }>> }) {
  return Object.entries(document.paths).flatMap(([template, item]) => METHODS.filter((m) => item[m]).map((method) => ({ route: `${method.toUpperCase()} ${template}`, operationId: item[method]!.operationId })));
}

describe('OpenAPI document', () => {
  const context = useTestApp();

  it('is served without authentication and describes request bodies from the validation schemas', async () => {
    const response = await request(context.app).get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const schedule = response.body.paths['/v1/meetings'].post.requestBody.content['application/json'].schema;
    expect(schedule.required).toEqual(expect.arrayContaining(['ownerUserId', 'title', 'startAt', 'endAt']));
    expect(schedule.additionalProperties).toBe(false);
    // All-day meetings: dates, the end exclusive as the providers have it, and said so.
    expect(schedule.properties.allDay).toMatchObject({ type: 'boolean', default: false });
    expect(schedule.properties.endAt.anyOf).toEqual(expect.arrayContaining([expect.objectContaining({ format: 'date' })]));
    expect(schedule.properties.endAt.description).toMatch(/exclusive/);
    expect(schedule.properties.conference).toMatchObject({ type: 'boolean', default: false });
    expect(response.body.paths['/v1/meetings/{id}'].get.responses[200].description).toMatch(/conference/);
  });

  it('documents the company timeline, the exclusion list and a contact’s company', async () => {
    const { body } = await request(context.app).get('/openapi.json');
    expect(body.paths['/v1/companies/{companyId}/meetings'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'before']);
    expect(Object.keys(body.paths['/v1/account/exclusions/{value}'])).toEqual(expect.arrayContaining(['delete']));
    expect(body.paths['/v1/account/exclusions'].post.requestBody.content['application/json'].schema.properties).toEqual({ email: expect.any(Object), domain: expect.any(Object) });
    const contact = body.paths['/v1/contacts'].post.requestBody.content['application/json'].schema;
    expect(contact.properties.companyId.anyOf).toEqual(expect.arrayContaining([{ type: 'null' }]));
    expect(body.paths['/v1/account'].patch.requestBody.content['application/json'].schema.properties.matchCompaniesByDomain.type).toBe('boolean');
  });

  it('documents every route the app serves, each once with its own operationId', async () => {
    const { body } = await request(context.app).get('/openapi.json');
    const documented = documentedOperations(body);
    const served = servedRoutes((context.app as unknown as { router: { stack: Layer[] } }).router.stack);
    expect(served.filter((route) => !documented.some((operation) => operation.route === route))).toEqual([]);
    expect(documented.filter((operation) => !operation.operationId)).toEqual([]);
    const ids = documented.map((operation) => operation.operationId);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    // Responses are schemas, not a bare `object`.
    const bare = Object.entries<Record<string, { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }>>(body.paths).flatMap(([template, item]) =>
      METHODS.filter((m) => item[m]).flatMap((method) =>
        Object.entries(item[method]!.responses).flatMap(([status, answer]) =>
          Object.values(answer.content ?? {}).flatMap(({ schema }) => (schema.type === 'object' && !schema.properties && !schema.additionalProperties ? [`${method} ${template} ${status}`] : [])),
        ),
      ),
    );
    expect(bare).toEqual([]);
  });

  it('documents only routes that exist', async () => {
    const { auth } = await createTestAccount(context.db);
    const { body } = await request(context.app).get('/openapi.json');
    const methods = ['get', 'post', 'patch', 'delete'] as const;
    const missing: string[] = [];
    for (const [template, item] of Object.entries<Record<string, unknown>>(body.paths)) {
      const path = template.replace(/\{[^}]+\}/g, SAMPLE_ID);
      for (const method of methods.filter((m) => item[m])) {
        // Empty bodies may fail validation (400) and sample ids may be unknown (404 "… not found"),
        // but an undocumented route answers "route … not found".
        const response = await request(context.app)[method](path).set(auth).send({});
        if (response.body?.error?.message?.startsWith('route ')) missing.push(`${method.toUpperCase()} ${template}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('OpenAPI response schemas', () => {
  const ADMIN_TOKEN = 'openapi-test-admin-token';
  let db: Database;
  let temporal: Client;
  let app: Express;
  let ajv: Ajv2020;

  beforeAll(async () => {
    db = testDatabase();
    temporal = await testTemporalClient();
    app = testApp(db, temporal, { adminToken: ADMIN_TOKEN });
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema((await request(app).get('/openapi.json')).body, 'openapi.json');
  });
  afterAll(async () => {
    await db.$disconnect();
    await temporal.connection.close();
  });

  /** `response` is what the document says `method template` answers with its status. */
  const expectDocumented = (method: (typeof METHODS)[number], template: string, response: request.Response) => {
    const route = `${method.toUpperCase()} ${template} ${response.status}`;
    const escape = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');
    const answer = ajv.getSchema(`openapi.json#/${['paths', template, method, 'responses', String(response.status)].map(escape).join('/')}`);
    expect({ route, documented: answer !== undefined }).toEqual({ route, documented: true });
    if (response.status === 204) return;
    const validate = ajv.getSchema(`openapi.json#/${['paths', template, method, 'responses', String(response.status), 'content', 'application/json', 'schema'].map(escape).join('/')}`)!;
    const valid = validate(response.body);
    expect({ route, errors: valid ? [] : validate.errors }).toEqual({ route, errors: [] });
  };

  it('match what the API answers', async () => {
    const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    const created = await request(app).post('/admin/accounts').set(admin).send({ name: 'Schema portal', domains: ['schema-portal.example'] });
    expectDocumented('post', '/admin/accounts', created);
    const accountId = created.body.account.id as string;
    const auth = { Authorization: `Bearer ${created.body.apiKey.key}` };
    expectDocumented('get', '/admin/accounts', await request(app).get('/admin/accounts').query({ limit: 2 }).set(admin));
    const issued = await request(app).post(`/admin/accounts/${accountId}/api-keys`).set(admin).send({ name: 'second' });
    expectDocumented('post', '/admin/accounts/{accountId}/api-keys', issued);
    expectDocumented('post', '/admin/accounts/{accountId}/api-keys/{keyId}/rotate', await request(app).post(`/admin/accounts/${accountId}/api-keys/${issued.body.id}/rotate`).set(admin).send({ graceSeconds: 60 }));
    expectDocumented('delete', '/admin/accounts/{accountId}/api-keys/{keyId}', await request(app).delete(`/admin/accounts/${accountId}/api-keys/${issued.body.id}`).set(admin));
    expectDocumented('get', '/admin/accounts/{accountId}/api-keys', await request(app).get(`/admin/accounts/${accountId}/api-keys`).set(admin));

    expectDocumented('patch', '/v1/account', await request(app).patch('/v1/account').set(auth).send({ matchCompaniesByDomain: true }));
    const user = await request(app).post('/v1/users').set(auth).send({ email: 'Owner@Schema-Portal.example', name: 'Owner' });
    expectDocumented('post', '/v1/users', user);
    expectDocumented('get', '/v1/users', await request(app).get('/v1/users').set(auth));
    const userId = user.body.id as string;
    const connection = await db.calendarConnection.create({
      data: { accountId, userId, provider: 'GOOGLE', status: 'ACTIVE', providerEmail: 'owner@schema-portal.example', connectedAt: new Date(), lastSyncAt: new Date() },
    });
    const company = await request(app).post('/v1/companies').set(auth).send({ name: 'Customer', domain: 'customer.example' });
    expectDocumented('post', '/v1/companies', company);
    const contact = await request(app).post('/v1/contacts').set(auth).send({ email: 'ann@customer.example', firstName: 'Ann' });
    expectDocumented('post', '/v1/contacts', contact);
    expect(contact.body.companyAssignment).toBe('EMAIL_DOMAIN');
    const deal = await request(app).post('/v1/deals').set(auth).send({ name: 'Renewal' });
    expectDocumented('post', '/v1/deals', deal);
    expectDocumented('patch', '/v1/tickets/{id}', await request(app).patch(`/v1/tickets/${(await request(app).post('/v1/tickets').set(auth).send({ subject: 'Login' })).body.id}`).set(auth).send({ status: 'open' }));

    const scheduled = await request(app)
      .post('/v1/meetings')
      .set(auth)
      .send({ ownerUserId: userId, title: 'Review', startAt: '2027-03-01T10:00:00Z', endAt: '2027-03-01T11:00:00Z', guestContactIds: [contact.body.id], associations: { deals: [deal.body.id] } });
    expectDocumented('post', '/v1/meetings', scheduled);
    // What the sync adds: the event in the owner's calendar and its conference.
    await db.calendarEventLink.create({ data: { meetingId: scheduled.body.id, connectionId: connection.id, providerEventId: 'evt-schema-1', iCalUID: 'uid-schema-1' } });
    await db.meeting.update({ where: { id: scheduled.body.id }, data: { status: 'SCHEDULED', conferenceUrl: 'https://meet.example/abc', conferenceProvider: 'GOOGLE_MEET' } });
    const meeting = await request(app).get(`/v1/meetings/${scheduled.body.id}`).set(auth);
    expectDocumented('get', '/v1/meetings/{id}', meeting);
    expect(meeting.body).toMatchObject({ conference: { provider: 'GOOGLE_MEET' }, calendarEvents: [{ providerEventId: 'evt-schema-1' }] });
    expectDocumented('get', '/v1/meetings', await request(app).get('/v1/meetings').set(auth));
    expectDocumented('get', '/v1/contacts/{contactId}/meetings', await request(app).get(`/v1/contacts/${contact.body.id}/meetings`).set(auth));
    expectDocumented('get', '/v1/companies/{companyId}/meetings', await request(app).get(`/v1/companies/${company.body.id}/meetings`).set(auth));
    expectDocumented('patch', '/v1/meetings/{id}', await request(app).patch(`/v1/meetings/${scheduled.body.id}`).set(auth).send({ title: 'Quarterly review' }));

    expectDocumented('get', '/v1/calendar-connections', await request(app).get('/v1/calendar-connections').set(auth));
    expectDocumented('get', '/v1/users/{userId}/calendar-connection', await request(app).get(`/v1/users/${userId}/calendar-connection`).set(auth));
    expectDocumented('post', '/v1/users/{userId}/calendar-connection/resync', await request(app).post(`/v1/users/${userId}/calendar-connection/resync`).set(auth));
    expectDocumented('get', '/admin/accounts/{accountId}', await request(app).get(`/admin/accounts/${accountId}`).set(admin));
    expectDocumented('get', '/admin/connections', await request(app).get('/admin/connections').query({ email: 'owner@schema-portal.example' }).set(admin));

    const period = await request(app).post(`/v1/users/${userId}/out-of-office`).set(auth).send({ startAt: '2027-04-01T00:00:00Z', endAt: '2027-04-03T00:00:00Z', title: 'Away' });
    expectDocumented('post', '/v1/users/{userId}/out-of-office', period);
    expectDocumented('get', '/v1/users/{userId}/out-of-office', await request(app).get(`/v1/users/${userId}/out-of-office`).set(auth));
    expectDocumented('delete', '/v1/users/{userId}/out-of-office/{id}', await request(app).delete(`/v1/users/${userId}/out-of-office/${period.body.id}`).set(auth));

    expectDocumented('post', '/v1/account/exclusions', await request(app).post('/v1/account/exclusions').set(auth).send({ domain: 'rival.example' }));
    expectDocumented('get', '/v1/account/exclusions', await request(app).get('/v1/account/exclusions').set(auth));
    expectDocumented('get', '/v1/account', await request(app).get('/v1/account').set(auth));

    // Errors, in their one shape.
    expectDocumented('get', '/v1/meetings/{id}', await request(app).get(`/v1/meetings/${SAMPLE_ID}`).set(auth));
    expectDocumented('post', '/v1/users', await request(app).post('/v1/users').set(auth).send({ email: 'not an address' }));
    expectDocumented('post', '/v1/users', await request(app).post('/v1/users').set(auth).send({ email: 'owner@schema-portal.example' }));
    expectDocumented('get', '/v1/account', await request(app).get('/v1/account'));
    expectDocumented('delete', '/v1/meetings/{id}', await request(app).delete(`/v1/meetings/${scheduled.body.id}`).set(auth));
    expectDocumented('get', '/healthz', await request(app).get('/healthz'));
    expectDocumented('get', '/readyz', await request(app).get('/readyz'));
  });
});
