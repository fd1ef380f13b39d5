import request from 'supertest';
import { useTestApp } from '../support/api';
import { createTestAccount } from '../support/fixtures';

describe('the account’s calendar connections', () => {
  const context = useTestApp();

  async function connectedUser(accountId: string, label: string, provider: 'GOOGLE' | 'MICROSOFT', status: 'ACTIVE' | 'NEEDS_REAUTH', statusReason?: string) {
    const email = `${label}-${accountId.slice(0, 8)}@portal.example`;
    const user = await context.db.user.create({ data: { accountId, email, emailKey: email, name: label } });
    await context.db.calendarConnection.create({
      data: { accountId, userId: user.id, provider, status, statusReason: statusReason ?? null, providerEmail: email, connectedAt: new Date() },
    });
    return user;
  }

  it('lists them with who must reconnect and why, filtered and paged, for the caller’s account only', async () => {
    const { account, auth } = await createTestAccount(context.db);
    const other = await createTestAccount(context.db);
    await connectedUser(account.id, 'ann', 'GOOGLE', 'ACTIVE');
    const bob = await connectedUser(account.id, 'bob', 'GOOGLE', 'NEEDS_REAUTH', 'the grant was revoked: reconnect the calendar');
    await connectedUser(other.account.id, 'eve', 'GOOGLE', 'NEEDS_REAUTH');

    const all = await request(context.app).get('/v1/calendar-connections').set(auth);
    expect(all.status).toBe(200);
    expect(all.body.items.map((c: { user: { name: string } }) => c.user.name).sort()).toEqual(['ann', 'bob']);

    const stuck = await request(context.app).get('/v1/calendar-connections?status=NEEDS_REAUTH').set(auth);
    expect(stuck.body.items).toEqual([
      expect.objectContaining({ userId: bob.id, provider: 'GOOGLE', status: 'NEEDS_REAUTH', statusReason: 'the grant was revoked: reconnect the calendar', user: { email: bob.email, name: 'bob' } }),
    ]);
    expect((await request(context.app).get('/v1/calendar-connections?provider=MICROSOFT').set(auth)).body.items).toEqual([]);

    const first = await request(context.app).get('/v1/calendar-connections?limit=1').set(auth);
    const second = await request(context.app).get(`/v1/calendar-connections?limit=1&after=${first.body.next}`).set(auth);
    expect([...first.body.items, ...second.body.items].map((c: { id: string }) => c.id)).toEqual(all.body.items.map((c: { id: string }) => c.id));
  });

  it('names the field when a filter is not one it knows', async () => {
    const { auth } = await createTestAccount(context.db);
    const response = await request(context.app).get('/v1/calendar-connections?status=BROKEN').set(auth);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/status/);
  });
});
