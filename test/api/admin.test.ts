/**
 * Tenant administration (api/routers/admin.ts, `npm run admin`): an operator creates an account and
 * its key, finds, rotates and revokes keys, finds a connection by address and frees an account's
 * integration, all behind a token that no account key can stand in for.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import type { Database } from '../../db/client';
import { testApp } from '../support/api';
import { testDatabase, testTemporalClient } from '../support/services';

const ADMIN_TOKEN = 'cca_test-admin-token';
const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

describe('tenant administration', () => {
  let db: Database;
  let temporal: Client;
  let app: Express;
  beforeAll(async () => {
    db = testDatabase();
    temporal = await testTemporalClient();
    app = testApp(db, temporal, { adminToken: ADMIN_TOKEN });
  });
  afterAll(async () => {
    await db.$disconnect();
    await temporal.connection.close();
  });

  const newAccount = async (name = 'Acme') => {
    const created = await request(app).post('/admin/accounts').set(admin).send({ name, domains: ['Acme.example'] });
    expect(created.status).toBe(201);
    return created.body as { account: { id: string; domains: string[] }; apiKey: { id: string; key: string; prefix: string } };
  };

  it('refuses anyone without the admin token, an account key included, and /v1 refuses the admin token', async () => {
    expect((await request(app).get('/admin/accounts')).status).toBe(401);
    expect((await request(app).get('/admin/accounts').set('Authorization', 'Bearer wrong')).status).toBe(401);
    const { apiKey } = await newAccount();
    expect((await request(app).get('/admin/accounts').set('Authorization', `Bearer ${apiKey.key}`)).status).toBe(401);
    expect((await request(app).get('/v1/account').set(admin)).status).toBe(401);
    // Without a configured token the admin API is not there at all.
    expect((await request(testApp(db, temporal)).get('/admin/accounts').set(admin)).status).toBe(404);
  });

  it('creates an account whose key works at once, shown once and kept only as a hash', async () => {
    const { account, apiKey } = await newAccount('Globex');
    expect(account.domains).toEqual(['acme.example']);
    const own = await request(app).get('/v1/account').set('Authorization', `Bearer ${apiKey.key}`);
    expect(own.body).toMatchObject({ id: account.id, name: 'Globex' });
    const shown = await request(app).get(`/admin/accounts/${account.id}`).set(admin);
    expect(shown.body).toMatchObject({ id: account.id, users: 0, connections: {} });
    const keys = await request(app).get(`/admin/accounts/${account.id}/api-keys`).set(admin);
    expect(keys.body.items).toEqual([expect.objectContaining({ id: apiKey.id, prefix: apiKey.prefix, lastUsedAt: expect.any(String), revokedAt: null })]);
    expect(JSON.stringify(keys.body)).not.toContain(apiKey.key);
    const bad = await request(app).post('/admin/accounts').set(admin).send({ name: '' });
    expect(bad.body.error.details).toEqual([{ field: 'name', problem: 'must not be empty' }]);
  });

  it('rotates a key with a grace period and revokes one at once', async () => {
    const { account, apiKey } = await newAccount();
    const asKey = (key: string) => request(app).get('/v1/account').set('Authorization', `Bearer ${key}`);
    const rotated = await request(app).post(`/admin/accounts/${account.id}/api-keys/${apiKey.id}/rotate`).set(admin).send({ graceSeconds: 3600 });
    expect(rotated.status).toBe(201);
    expect((await asKey(rotated.body.apiKey.key)).status).toBe(200);
    expect((await asKey(apiKey.key)).status).toBe(200); // still within its grace period
    expect(Date.parse(rotated.body.previous.expiresAt)).toBeGreaterThan(Date.now());

    const again = await request(app).post(`/admin/accounts/${account.id}/api-keys/${rotated.body.apiKey.id}/rotate`).set(admin).send({ graceSeconds: 0 });
    const expired = await asKey(rotated.body.apiKey.key);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/rotated/);
    expect((await asKey(again.body.apiKey.key)).status).toBe(200);

    const issued = await request(app).post(`/admin/accounts/${account.id}/api-keys`).set(admin).send({ name: 'ci' });
    expect(issued.body).toMatchObject({ name: 'ci', key: expect.stringMatching(/^ccs_/) });
    await request(app).delete(`/admin/accounts/${account.id}/api-keys/${issued.body.id}`).set(admin).expect(200);
    expect((await asKey(issued.body.key)).status).toBe(401);
    const rotateRevoked = await request(app).post(`/admin/accounts/${account.id}/api-keys/${issued.body.id}/rotate`).set(admin).send({});
    expect(rotateRevoked.status).toBe(409);
    // Another account's key is not found from this account.
    const other = await newAccount('Other');
    expect((await request(app).delete(`/admin/accounts/${account.id}/api-keys/${other.apiKey.id}`).set(admin)).status).toBe(404);
  });

  it('finds a connection by address and frees the integration only once nothing is connected', async () => {
    const { account } = await newAccount();
    const email = `finder-${account.id.slice(0, 8)}@acme.example`;
    const user = await db.user.create({ data: { accountId: account.id, email, emailKey: email } });
    await db.account.update({ where: { id: account.id }, data: { installedProvider: 'GOOGLE' } });
    const connection = await db.calendarConnection.create({
      data: { accountId: account.id, userId: user.id, provider: 'GOOGLE', status: 'ACTIVE', providerEmail: email, connectedAt: new Date() },
    });
    const found = await request(app).get('/admin/connections').query({ email: email.toUpperCase() }).set(admin);
    expect(found.body.items).toEqual([expect.objectContaining({ id: connection.id, status: 'ACTIVE', workflowId: `calendar-connection-${connection.id}`, account: { id: account.id, name: 'Acme' } })]);

    const busy = await request(app).delete(`/admin/accounts/${account.id}/installed-provider`).set(admin);
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toMatch(/disconnect/);
    await db.calendarConnection.update({ where: { id: connection.id }, data: { status: 'DISCONNECTED' } });
    const freed = await request(app).delete(`/admin/accounts/${account.id}/installed-provider`).set(admin);
    expect(freed.status).toBe(200);
    expect(freed.body.installedProvider).toBeNull();
  });

  it('does the same from a shell: npm run admin', async () => {
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const admin = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../service/admin-cli.ts'), ...args], {
        env: { ...process.env, ADMIN_TOKEN, ADMIN_API_URL: `http://127.0.0.1:${port}` },
      });
    try {
      const created = JSON.parse((await admin('accounts', 'create', '--name', 'Shell Co', '--domain', 'shell.example')).stdout);
      expect(created.apiKey.key).toMatch(/^ccs_/);
      const rotated = JSON.parse((await admin('keys', 'rotate', created.account.id, created.apiKey.id, '--grace', '1h')).stdout);
      expect(rotated.previous.expiresAt).toEqual(expect.any(String));
      await expect(admin('accounts', 'show', 'not-a-uuid')).rejects.toMatchObject({ stderr: expect.stringMatching(/400: accountId: must be a UUID/) });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
