/**
 * The account's exclusion list through the API: addresses and domains, normalized, idempotent,
 * validated, and the account's own.
 */
import request from 'supertest';
import { useTestApp } from '../support/api';
import { createTestAccount } from '../support/fixtures';

describe('exclusion lists', () => {
  const context = useTestApp();
  const list = async (auth: Record<string, string>) => (await request(context.app).get('/v1/account/exclusions').set(auth).expect(200)).body.items;
  const add = (auth: Record<string, string>, body: object) => request(context.app).post('/v1/account/exclusions').set(auth).send(body);

  it('adds addresses and domains lower-cased, a repeat is no error, and removes them', async () => {
    const { auth } = await createTestAccount(context.db);
    expect(await list(auth)).toEqual([]);
    const email = await add(auth, { email: ' Ann@Rival.EXAMPLE ' });
    expect(email.status).toBe(201);
    expect(email.body).toEqual({ type: 'email', value: 'ann@rival.example', createdAt: expect.any(String) });
    expect((await add(auth, { domain: 'Competitor.example' })).status).toBe(201);

    const again = await add(auth, { email: 'ann@rival.example' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(email.body);
    expect((await list(auth)).map((e: { type: string; value: string }) => [e.type, e.value])).toEqual([
      ['email', 'ann@rival.example'],
      ['domain', 'competitor.example'],
    ]);

    await request(context.app).delete('/v1/account/exclusions/Ann@rival.example').set(auth).expect(204);
    await request(context.app).delete('/v1/account/exclusions/ann@rival.example').set(auth).expect(204);
    await request(context.app).delete('/v1/account/exclusions/competitor.example').set(auth).expect(204);
    expect(await list(auth)).toEqual([]);
  });

  it('refuses what is neither one address nor one domain, writing nothing', async () => {
    const { auth, account } = await createTestAccount(context.db);
    const cases: [object, string][] = [
      [{ email: 'not-an-email' }, 'email'],
      [{ domain: 'not a domain' }, 'domain'],
      [{ domain: 'ann@rival.example' }, 'domain'],
      [{}, 'body'],
      [{ email: 'ann@rival.example', domain: 'rival.example' }, 'body'],
      [{ address: 'ann@rival.example' }, 'body'],
    ];
    for (const [body, field] of cases) {
      const refused = await add(auth, body);
      expect({ body, status: refused.status, field: refused.body.error.details[0].field }).toEqual({ body, status: 400, field });
    }
    const badDelete = await request(context.app).delete('/v1/account/exclusions/nothing').set(auth);
    expect(badDelete.status).toBe(400);
    expect(badDelete.body.error.details).toEqual([{ field: 'value', problem: 'must be an email address or a domain name such as example.com' }]);
    expect(await context.db.accountExclusion.count({ where: { accountId: account.id } })).toBe(0);
  });

  it('keeps each account’s list its own', async () => {
    const mine = await createTestAccount(context.db);
    const theirs = await createTestAccount(context.db);
    await add(theirs.auth, { domain: 'rival.example' }).expect(201);
    expect(await list(mine.auth)).toEqual([]);
    await request(context.app).delete('/v1/account/exclusions/rival.example').set(mine.auth).expect(204);
    expect(await list(theirs.auth)).toHaveLength(1);
    expect((await request(context.app).get('/v1/account/exclusions')).status).toBe(401);
  });
});
