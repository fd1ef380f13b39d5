import request from 'supertest';
import { useTestApp } from '../support/api';
import { createTestAccount } from '../support/fixtures';

describe('CRM records API', () => {
  const context = useTestApp();

  it('refuses requests without a valid API key', async () => {
    const none = await request(context.app).get('/v1/contacts');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    const wrong = await request(context.app).get('/v1/contacts').set('Authorization', 'Bearer ccs_not-a-key');
    expect(wrong.status).toBe(401);
  });

  it('creates, reads, updates and lists contacts', async () => {
    const { auth } = await createTestAccount(context.db);
    const created = await request(context.app).post('/v1/contacts').set(auth).send({ email: ' Ada@Example.com ', firstName: 'Ada' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'Ada@Example.com', emailKey: 'ada@example.com', firstName: 'Ada' });

    const read = await request(context.app).get(`/v1/contacts/${created.body.id}`).set(auth);
    expect(read.body.firstName).toBe('Ada');

    const updated = await request(context.app).patch(`/v1/contacts/${created.body.id}`).set(auth).send({ lastName: 'Lovelace', email: 'ada@lovelace.example' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ lastName: 'Lovelace', emailKey: 'ada@lovelace.example' });

    await request(context.app).post('/v1/contacts').set(auth).send({ email: 'grace@example.com' }).expect(201);
    const firstPage = await request(context.app).get('/v1/contacts?limit=1').set(auth);
    expect(firstPage.body.items).toHaveLength(1);
    const secondPage = await request(context.app).get(`/v1/contacts?limit=1&after=${firstPage.body.next}`).set(auth);
    expect(secondPage.body.items).toHaveLength(1);
    expect(secondPage.body.items[0].id).not.toBe(firstPage.body.items[0].id);
  });

  it('keeps contact emails unique per account whatever their case', async () => {
    const { auth } = await createTestAccount(context.db);
    await request(context.app).post('/v1/contacts').set(auth).send({ email: 'sam@example.com' }).expect(201);
    const duplicate = await request(context.app).post('/v1/contacts').set(auth).send({ email: 'SAM@example.com' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({ code: 'duplicate', details: { field: 'email' } });

    const other = await createTestAccount(context.db);
    await request(context.app).post('/v1/contacts').set(other.auth).send({ email: 'sam@example.com' }).expect(201);
  });

  it('answers 400 naming the field and the problem, writing nothing', async () => {
    const { auth, account } = await createTestAccount(context.db);
    const bad = await request(context.app).post('/v1/contacts').set(auth).send({ email: 'not-an-email', firstName: 'X' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.details).toEqual([{ field: 'email', problem: 'must be an email address' }]);

    const unknown = await request(context.app).post('/v1/deals').set(auth).send({ name: 'Big deal', amount: 3 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/amount/);

    const malformed = await request(context.app).post('/v1/tickets').set(auth).set('Content-Type', 'application/json').send('{"subject":');
    expect(malformed.status).toBe(400);
    expect(await context.db.contact.count({ where: { accountId: account.id } })).toBe(0);
    expect(await context.db.deal.count({ where: { accountId: account.id } })).toBe(0);
  });

  it("answers 404 for another account's records and never shows them", async () => {
    const mine = await createTestAccount(context.db);
    const theirs = await createTestAccount(context.db);
    const company = await request(context.app).post('/v1/companies').set(theirs.auth).send({ name: 'Their Co' }).expect(201);

    expect((await request(context.app).get(`/v1/companies/${company.body.id}`).set(mine.auth)).status).toBe(404);
    expect((await request(context.app).patch(`/v1/companies/${company.body.id}`).set(mine.auth).send({ name: 'Mine now' })).status).toBe(404);
    expect((await request(context.app).get('/v1/companies').set(mine.auth)).body.items).toEqual([]);
    expect((await request(context.app).get(`/v1/companies/${company.body.id}`).set(theirs.auth)).body.name).toBe('Their Co');
  });

  it('manages users, deals, tickets and the account domains', async () => {
    const { auth } = await createTestAccount(context.db);
    await request(context.app).post('/v1/users').set(auth).send({ email: 'Owner@Portal.example', name: 'Owner' }).expect(201);
    expect((await request(context.app).post('/v1/users').set(auth).send({ email: 'owner@portal.example' })).status).toBe(409);
    await request(context.app).post('/v1/deals').set(auth).send({ name: 'Renewal', stage: 'proposal' }).expect(201);
    await request(context.app).post('/v1/tickets').set(auth).send({ subject: 'Cannot log in' }).expect(201);

    const account = await request(context.app).patch('/v1/account').set(auth).send({ domains: ['Portal.example', 'portal.example', 'sales.example'] });
    expect(account.body.domains).toEqual(['portal.example', 'sales.example']);
    const bad = await request(context.app).patch('/v1/account').set(auth).send({ domains: ['not a domain'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('domains.0');
  });
});
