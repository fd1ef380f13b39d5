import request from 'supertest';
import { useTestApp } from '../support/api';
import { createTestAccount } from '../support/fixtures';

const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';

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
