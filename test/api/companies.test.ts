/**
 * Companies through the API: a contact's company set explicitly or matched from its email domain
 * (an account setting, off by default), and the company timeline derived from contacts' meetings.
 */
import request from 'supertest';
import { useTestApp } from '../support/api';
import { createTestAccount } from '../support/fixtures';

describe('companies and contacts', () => {
  const context = useTestApp();

  async function setUp() {
    const { account, auth } = await createTestAccount(context.db);
    const post = async (path: string, body: object) => {
      const response = await request(context.app).post(path).set(auth).send(body);
      expect({ path, status: response.status }).toEqual({ path, status: 201 });
      return response.body;
    };
    const patch = (path: string, body: object) => request(context.app).patch(path).set(auth).send(body);
    const contact = async (id: string) => (await request(context.app).get(`/v1/contacts/${id}`).set(auth)).body;
    const matching = (on: boolean) => patch('/v1/account', { matchCompaniesByDomain: on }).expect(200);
    return { account, auth, post, patch, contact, matching };
  }

  it('sets, changes and clears a contact’s company, only to one of the account’s companies', async () => {
    const { auth, post, patch, contact } = await setUp();
    const acme = await post('/v1/companies', { name: 'Acme', domain: 'Acme.example' });
    expect(acme.domain).toBe('acme.example');
    const ann = await post('/v1/contacts', { email: 'ann@acme.example', companyId: acme.id });
    expect(ann).toMatchObject({ companyId: acme.id, companyAssignment: 'EXPLICIT' });

    const globex = await post('/v1/companies', { name: 'Globex' });
    expect((await patch(`/v1/contacts/${ann.id}`, { companyId: globex.id })).body.companyId).toBe(globex.id);
    expect((await patch(`/v1/contacts/${ann.id}`, { companyId: null })).body).toMatchObject({ companyId: null, companyAssignment: 'EXPLICIT' });

    const other = await createTestAccount(context.db);
    const theirs = await request(context.app).post('/v1/companies').set(other.auth).send({ name: 'Theirs' }).expect(201);
    for (const companyId of [theirs.body.id, '00000000-0000-4000-8000-000000000000']) {
      const refused = await patch(`/v1/contacts/${ann.id}`, { companyId });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toEqual([{ field: 'companyId', problem: `no company with id ${companyId}` }]);
      const created = await request(context.app).post('/v1/contacts').set(auth).send({ email: 'new@acme.example', companyId });
      expect(created.status).toBe(400);
    }
    expect((await contact(ann.id)).companyId).toBeNull();
    expect((await request(context.app).get('/v1/contacts?email=new@acme.example').set(auth)).body.items).toEqual([]);
    expect((await patch(`/v1/contacts/${ann.id}`, { companyId: 'acme' })).body.error.details).toEqual([{ field: 'companyId', problem: 'must be a UUID' }]);
    expect((await patch(`/v1/companies/${acme.id}`, { domain: 'https://acme.example' })).status).toBe(400);
  });

  it('matches nobody by domain while the account setting is off (the default)', async () => {
    const { post, contact } = await setUp();
    await post('/v1/companies', { name: 'Acme', domain: 'acme.example' });
    const ann = await post('/v1/contacts', { email: 'ann@acme.example' });
    expect(ann).toMatchObject({ companyId: null, companyAssignment: null });
    expect((await contact(ann.id)).companyId).toBeNull();
  });

  it('with the setting on, matches contacts by email domain and never overrides an explicit company', async () => {
    const { account, post, patch, contact, matching } = await setUp();
    const before = await post('/v1/contacts', { email: 'early@acme.example' });
    const acme = await post('/v1/companies', { name: 'Acme', domain: 'acme.example' });

    // Turning it on matches existing contacts.
    const turnedOn = await matching(true);
    expect(turnedOn.body.matchCompaniesByDomain).toBe(true);
    expect(await contact(before.id)).toMatchObject({ companyId: acme.id, companyAssignment: 'EMAIL_DOMAIN' });

    // A new contact, whatever its case.
    const ann = await post('/v1/contacts', { email: 'Ann@ACME.example' });
    expect(ann).toMatchObject({ companyId: acme.id, companyAssignment: 'EMAIL_DOMAIN' });

    // An explicit company (or none) stays, even when the email changes.
    const globex = await post('/v1/companies', { name: 'Globex', domain: 'globex.example' });
    const explicit = await post('/v1/contacts', { email: 'bob@acme.example', companyId: globex.id });
    const none = await post('/v1/contacts', { email: 'cy@acme.example', companyId: null });
    await patch(`/v1/contacts/${explicit.id}`, { email: 'bob@acme.example', firstName: 'Bob' }).expect(200);
    expect(await contact(explicit.id)).toMatchObject({ companyId: globex.id, companyAssignment: 'EXPLICIT' });
    expect((await contact(none.id)).companyId).toBeNull();

    // A matched contact follows its email; at a domain no company has, it has none.
    expect((await patch(`/v1/contacts/${ann.id}`, { email: 'ann@globex.example' })).body).toMatchObject({ companyId: globex.id, companyAssignment: 'EMAIL_DOMAIN' });
    expect((await patch(`/v1/contacts/${ann.id}`, { email: 'ann@nowhere.example' })).body).toMatchObject({ companyId: null, companyAssignment: null });

    // A company's domain: set, the contacts there join; changed, they leave (for the oldest other
    // company at their domain, if any); two companies at one domain, the oldest wins.
    const dana = await post('/v1/contacts', { email: 'dana@initech.example' });
    const initech = await post('/v1/companies', { name: 'Initech' });
    expect((await contact(dana.id)).companyId).toBeNull();
    await patch(`/v1/companies/${initech.id}`, { domain: 'initech.example' }).expect(200);
    expect((await contact(dana.id)).companyId).toBe(initech.id);
    const initechToo = await post('/v1/companies', { name: 'Initech (duplicate)', domain: 'initech.example' });
    expect((await contact(dana.id)).companyId).toBe(initech.id);
    await patch(`/v1/companies/${initech.id}`, { domain: null }).expect(200);
    expect((await contact(dana.id)).companyId).toBe(initechToo.id);
    await patch(`/v1/companies/${initechToo.id}`, { domain: 'initech-two.example' }).expect(200);
    expect(await contact(dana.id)).toMatchObject({ companyId: null, companyAssignment: null });
    expect(await contact(explicit.id)).toMatchObject({ companyId: globex.id });

    // Turned off, the matches made stay and nothing new is matched.
    await matching(false);
    expect((await post('/v1/contacts', { email: 'late@acme.example' })).companyId).toBeNull();
    expect((await contact(before.id)).companyId).toBe(acme.id);
    expect(await context.db.contact.count({ where: { accountId: account.id, companyId: acme.id } })).toBe(1);
  });

  it('matches only within the account', async () => {
    const mine = await setUp();
    const theirs = await setUp();
    await theirs.post('/v1/companies', { name: 'Their Acme', domain: 'acme.example' });
    await theirs.matching(true);
    await mine.matching(true);
    expect((await mine.post('/v1/contacts', { email: 'ann@acme.example' })).companyId).toBeNull();
  });

  describe('the company timeline', () => {
    async function meeting(accountId: string, title: string, startAt: string, contactIds: string[], extra: { companyIds?: string[]; deleted?: boolean } = {}) {
      return context.db.meeting.create({
        data: {
          accountId,
          title,
          startAt: new Date(startAt),
          endAt: new Date(Date.parse(startAt) + 3_600_000),
          status: 'SCHEDULED',
          source: 'CALENDAR',
          deletedAt: extra.deleted ? new Date() : null,
          attendees: { create: contactIds.map((contactId, i) => ({ contactId, email: `guest${i}-${contactId}@x.example`, emailKey: `guest${i}-${contactId}@x.example` })) },
          associations: { create: (extra.companyIds ?? []).map((objectId) => ({ objectType: 'COMPANY' as const, objectId })) },
        },
      });
    }

    it('lists its contacts’ meetings newest first, each once, paged like the contact timeline, following its contacts', async () => {
      const { account, auth, post, patch } = await setUp();
      const acme = await post('/v1/companies', { name: 'Acme' });
      const globex = await post('/v1/companies', { name: 'Globex' });
      const ann = await post('/v1/contacts', { email: 'ann@acme.example', companyId: acme.id });
      const bob = await post('/v1/contacts', { email: 'bob@acme.example', companyId: acme.id });
      const cy = await post('/v1/contacts', { email: 'cy@globex.example', companyId: globex.id });
      await meeting(account.id, 'Both of Acme', '2026-12-03T10:00:00Z', [ann.id, bob.id]);
      await meeting(account.id, 'Acme and Globex', '2026-12-02T10:00:00Z', [ann.id, cy.id]);
      await meeting(account.id, 'Globex only', '2026-12-04T10:00:00Z', [cy.id]);
      await meeting(account.id, 'Associated with Acme', '2026-12-01T10:00:00Z', [cy.id], { companyIds: [acme.id] });
      await meeting(account.id, 'Deleted', '2026-12-05T10:00:00Z', [ann.id], { deleted: true });

      const timeline = async (companyId: string, query = '') => {
        const response = await request(context.app).get(`/v1/companies/${companyId}/meetings${query}`).set(auth);
        expect(response.status).toBe(200);
        return response.body;
      };
      const titles = async (companyId: string) => (await timeline(companyId)).items.map((m: { title: string }) => m.title);
      expect(await titles(acme.id)).toEqual(['Both of Acme', 'Acme and Globex', 'Associated with Acme']);
      expect(await titles(globex.id)).toEqual(['Globex only', 'Acme and Globex', 'Associated with Acme']);

      const first = await timeline(acme.id, '?limit=2');
      expect(first.items.map((m: { title: string }) => m.title)).toEqual(['Both of Acme', 'Acme and Globex']);
      expect(first.next).toBe(`2026-12-02T10:00:00.000Z_${first.items[1].id}`);
      const second = await timeline(acme.id, `?limit=2&before=${encodeURIComponent(first.next)}`);
      expect(second).toEqual({ items: [expect.objectContaining({ title: 'Associated with Acme' })], next: null });

      // The meeting shows the companies its contacts are at, next to its stored associations.
      const both = first.items[0];
      expect(both.associations).toEqual([{ type: 'COMPANY', id: acme.id }]);
      const associated = second.items[0];
      expect(associated.associations).toEqual([
        { type: 'COMPANY', id: acme.id },
        { type: 'COMPANY', id: globex.id },
      ]);

      // Derived when read: a contact moving company moves its meetings along.
      await patch(`/v1/contacts/${cy.id}`, { companyId: acme.id }).expect(200);
      expect(await titles(acme.id)).toEqual(['Globex only', 'Both of Acme', 'Acme and Globex', 'Associated with Acme']);
      expect(await titles(globex.id)).toEqual([]);
    });

    it('pages meetings that share a start without skipping any, on the contact timeline too', async () => {
      const { account, auth, post } = await setUp();
      const ann = await post('/v1/contacts', { email: 'ann@same-start.example' });
      for (const title of ['One', 'Two', 'Three']) await meeting(account.id, title, '2026-12-03T10:00:00Z', [ann.id]);
      const seen: string[] = [];
      let next: string | null = '';
      while (next !== null) {
        const page: request.Response = await request(context.app).get(`/v1/contacts/${ann.id}/meetings?limit=2${next ? `&before=${encodeURIComponent(next)}` : ''}`).set(auth);
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((m: { title: string }) => m.title));
        next = page.body.next;
      }
      expect(seen.sort()).toEqual(['One', 'Three', 'Two']);
      // A bare date-time still works: meetings starting before it.
      const before = await request(context.app).get(`/v1/contacts/${ann.id}/meetings?before=2026-12-03T10:00:01Z`).set(auth);
      expect(before.body.items).toHaveLength(3);
    });

    it('answers 404 for another account’s company and 400 for a bad query', async () => {
      const mine = await setUp();
      const theirs = await setUp();
      const company = await theirs.post('/v1/companies', { name: 'Theirs' });
      const contact = await theirs.post('/v1/contacts', { email: 'x@theirs.example', companyId: company.id });
      await meeting(theirs.account.id, 'Their meeting', '2026-12-01T10:00:00Z', [contact.id]);
      const refused = await request(context.app).get(`/v1/companies/${company.id}/meetings`).set(mine.auth);
      expect(refused.status).toBe(404);
      expect(refused.body.error.message).toBe('company not found');
      expect((await request(context.app).get(`/v1/companies/${company.id}/meetings`).set(theirs.auth)).body.items).toHaveLength(1);
      expect((await request(context.app).get('/v1/companies/not-a-uuid/meetings').set(mine.auth)).body.error.details).toEqual([{ field: 'companyId', problem: 'must be a UUID' }]);
      expect((await request(context.app).get(`/v1/companies/${company.id}/meetings?before=yesterday`).set(theirs.auth)).status).toBe(400);
    });
  });
});
