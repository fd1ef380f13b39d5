import crypto from 'node:crypto';
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

  it("answers 404 on every route that names another account's record", async () => {
    const mine = await createTestAccount(context.db);
    const theirs = await createTestAccount(context.db);
    const create = async (path: string, body: object) => (await request(context.app).post(path).set(theirs.auth).send(body).expect(201)).body.id as string;
    const ids = {
      user: await create('/v1/users', { email: 'their-user@their.example' }),
      contact: await create('/v1/contacts', { email: 'their-contact@their.example' }),
      company: await create('/v1/companies', { name: 'Theirs' }),
      deal: await create('/v1/deals', { name: 'Their deal' }),
      ticket: await create('/v1/tickets', { subject: 'Their ticket' }),
    };
    const meeting = await context.db.meeting.create({
      data: { accountId: theirs.account.id, title: 'Their meeting', startAt: new Date(), endAt: new Date(Date.now() + 3_600_000), status: 'SCHEDULED', source: 'CRM' },
    });
    const period = await context.db.outOfOffice.create({
      data: { accountId: theirs.account.id, userId: ids.user, startAt: new Date(), endAt: new Date(Date.now() + 86_400_000), source: 'CRM' },
    });
    const routes: [method: 'get' | 'patch' | 'post' | 'delete', path: string, body?: object][] = [
      ['get', `/v1/users/${ids.user}`],
      ['patch', `/v1/users/${ids.user}`, { name: 'x' }],
      ['get', `/v1/contacts/${ids.contact}`],
      ['patch', `/v1/contacts/${ids.contact}`, { firstName: 'x' }],
      ['get', `/v1/companies/${ids.company}`],
      ['get', `/v1/deals/${ids.deal}`],
      ['get', `/v1/tickets/${ids.ticket}`],
      ['get', `/v1/contacts/${ids.contact}/meetings`],
      ['get', `/v1/companies/${ids.company}/meetings`],
      ['get', `/v1/meetings/${meeting.id}`],
      ['patch', `/v1/meetings/${meeting.id}`, { title: 'x' }],
      ['delete', `/v1/meetings/${meeting.id}`],
      ['get', `/v1/users/${ids.user}/calendar-connection`],
      ['get', `/v1/users/${ids.user}/out-of-office`],
      ['delete', `/v1/users/${ids.user}/out-of-office/${period.id}`],
    ];
    for (const [method, path, body] of routes) {
      const res = await request(context.app)[method](path).set(mine.auth).send(body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
    }
    expect(await context.db.meeting.findUnique({ where: { id: meeting.id } })).toMatchObject({ title: 'Their meeting', deletedAt: null });
  });

  it('refuses a PATCH that names no field to change', async () => {
    const { auth } = await createTestAccount(context.db);
    const contact = await request(context.app).post('/v1/contacts').set(auth).send({ email: 'patch-me@example.com' }).expect(201);
    for (const path of [`/v1/contacts/${contact.body.id}`, '/v1/account']) {
      const empty = await request(context.app).patch(path).set(auth).send({});
      expect(empty.status).toBe(400);
      expect(empty.body.error.details).toEqual([{ field: 'body', problem: 'names no field to change' }]);
    }
  });

  it('finds users and contacts by email, whatever its case or spacing', async () => {
    const { auth } = await createTestAccount(context.db);
    await request(context.app).post('/v1/contacts').set(auth).send({ email: 'find.me@example.com' }).expect(201);
    await request(context.app).post('/v1/contacts').set(auth).send({ email: 'not.me@example.com' }).expect(201);
    await request(context.app).post('/v1/users').set(auth).send({ email: 'owner@portal.example' }).expect(201);
    const contacts = await request(context.app).get('/v1/contacts').query({ email: ' Find.Me@Example.com ' }).set(auth);
    expect(contacts.body.items.map((c: { emailKey: string }) => c.emailKey)).toEqual(['find.me@example.com']);
    const users = await request(context.app).get('/v1/users?email=OWNER@portal.example').set(auth);
    expect(users.body.items).toHaveLength(1);
    expect((await request(context.app).get('/v1/users?email=nobody@portal.example').set(auth)).body.items).toEqual([]);
    expect((await request(context.app).get('/v1/users?email=not-an-email').set(auth)).status).toBe(400);
  });

  it('answers 405 with the allowed methods for a known path asked with the wrong one, 404 for an unknown path', async () => {
    const { auth } = await createTestAccount(context.db);
    const put = await request(context.app).put(`/v1/contacts/${crypto.randomUUID()}`).set(auth).send({});
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD, PATCH');
    expect(put.body.error.code).toBe('method_not_allowed');
    const deleteAll = await request(context.app).delete('/v1/contacts').set(auth);
    expect(deleteAll.status).toBe(405);
    expect(deleteAll.headers.allow).toBe('GET, HEAD, POST');
    expect((await request(context.app).post('/healthz')).headers.allow).toBe('GET, HEAD');
    expect((await request(context.app).get('/v1/nothing-here').set(auth)).status).toBe(404);
  });
});
