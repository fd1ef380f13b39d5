/**
 * Tenant administration for operators (behind the admin token, never an account's API key):
 * accounts, their API keys (issue, list, revoke, rotate with a grace period), finding a user's
 * connection by address, and freeing an account's calendar integration. `npm run admin` is the same
 * surface from a shell (service/admin-cli.ts).
 */
import express from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { accountSummary, apiKeyView, clearInstalledProvider, createAccount, findConnectionsByEmail, issueApiKey, revokeApiKey, rotateApiKey } from '../../crm/accounts';
import { found, notFound } from '../http-errors';
import { adminAuth } from '../middleware/admin-auth';
import { accountSchema, accountSummarySchema, apiKeySchema, connectionLookupSchema, errorSchema, issuedApiKeySchema, listSchema, pageSchema } from '../responses';
import { ApiRoutes, type ResponseSpec } from '../routes';
import { uuid } from '../validation';
import { accountUpdate } from './account';
import { pageArgs } from '../../db/paging';
import { pageOf, pageQuery } from '../paging';

const DAY_SECONDS = 86_400;

export const adminSchemas = {
  createAccount: z.object({ name: z.string().trim().min(1, 'must not be empty').max(200), domains: accountUpdate.shape.domains }).strict(),
  issueKey: z.object({ name: z.string().trim().min(1, 'must not be empty').max(100).default('default') }).strict(),
  rotateKey: z
    .object({ graceSeconds: z.number().int().min(0).max(30 * DAY_SECONDS, 'must be at most 30 days').default(DAY_SECONDS) })
    .strict(),
};

const accountParams = z.object({ accountId: uuid() });
const keyParams = accountParams.extend({ keyId: uuid() });
const connectionQuery = z.object({ email: z.string().trim().pipe(z.email({ message: 'must be an email address' })) });

const json = (description: string, schema: z.ZodType): ResponseSpec => ({ description, schema });
const conflict = (description: string): ResponseSpec => ({ description, schema: errorSchema });

export function adminRouter(db: Database, adminToken: string | undefined): ApiRoutes {
  const routes = new ApiRoutes({ tags: ['Admin'], security: 'adminToken' });
  const router = routes.router;
  const requireAccount = async (accountId: string) => {
    if (!(await db.account.findUnique({ where: { id: accountId }, select: { id: true } }))) throw notFound('account');
  };
  router.use(adminAuth(adminToken));
  router.use(express.json({ limit: '64kb' }));

  routes.post(
    '/accounts',
    {
      operationId: 'adminCreateAccount',
      summary: 'Create an account and its first API key (shown once)',
      body: adminSchemas.createAccount,
      responses: { 201: json('The account and `apiKey.key`', z.object({ account: accountSchema, apiKey: issuedApiKeySchema })) },
    },
    async ({ body }, _req, res) => {
      const { account, apiKey } = await createAccount(db, body);
      res.status(201).json({ account, apiKey });
    },
  );

  routes.get('/accounts', { operationId: 'adminListAccounts', summary: 'List accounts', query: pageQuery, responses: { 200: json('A page of accounts', pageSchema(accountSchema)) } }, async ({ query }, _req, res) => {
    res.json(pageOf(await db.account.findMany(pageArgs(query)), query.limit));
  });

  routes.get(
    '/accounts/:accountId',
    { operationId: 'adminGetAccount', summary: 'An account: users and connections by status', params: accountParams, responses: { 200: json('The account', accountSummarySchema) } },
    async ({ params }, _req, res) => {
      res.json(found(await accountSummary(db, params.accountId), 'account'));
    },
  );

  routes.post(
    '/accounts/:accountId/api-keys',
    { operationId: 'adminIssueApiKey', summary: 'Issue another API key (shown once)', params: accountParams, body: adminSchemas.issueKey, responses: { 201: json('The key', issuedApiKeySchema) } },
    async ({ params, body }, _req, res) => {
      await requireAccount(params.accountId);
      res.status(201).json(await issueApiKey(db, params.accountId, body.name));
    },
  );

  routes.get(
    '/accounts/:accountId/api-keys',
    { operationId: 'adminListApiKeys', summary: 'The account’s keys: prefix, created, last used, expiry, revocation', params: accountParams, responses: { 200: json('The keys', listSchema(apiKeySchema)) } },
    async ({ params }, _req, res) => {
      await requireAccount(params.accountId);
      const keys = await db.apiKey.findMany({ where: { accountId: params.accountId }, orderBy: { createdAt: 'asc' } });
      res.json({ items: keys.map(apiKeyView) });
    },
  );

  routes.delete(
    '/accounts/:accountId/api-keys/:keyId',
    { operationId: 'adminRevokeApiKey', summary: 'Revoke a key now', params: keyParams, responses: { 200: json('The revoked key', apiKeySchema) } },
    async ({ params }, _req, res) => {
      const revoked = await revokeApiKey(db, params.accountId, params.keyId);
      if (!revoked) throw notFound('API key');
      res.json(apiKeyView(revoked));
    },
  );

  routes.post(
    '/accounts/:accountId/api-keys/:keyId/rotate',
    {
      operationId: 'adminRotateApiKey',
      summary: 'A new key; the old one keeps working for `graceSeconds` (default a day)',
      params: keyParams,
      body: adminSchemas.rotateKey,
      responses: { 201: json('The new key and the old one', z.object({ apiKey: issuedApiKeySchema, previous: apiKeySchema })), 409: conflict('The key is revoked') },
    },
    async ({ params, body }, _req, res) => {
      const rotated = await rotateApiKey(db, params.accountId, params.keyId, body.graceSeconds * 1000);
      if (!rotated) throw notFound('API key');
      res.status(201).json({ apiKey: rotated.issued, previous: apiKeyView(rotated.previous) });
    },
  );

  routes.delete(
    '/accounts/:accountId/installed-provider',
    {
      operationId: 'adminClearInstalledProvider',
      summary: 'Let the account install the other calendar integration',
      params: accountParams,
      responses: { 200: json('The account', accountSchema), 409: conflict('Some connection is not disconnected') },
    },
    async ({ params }, _req, res) => {
      res.json(found(await clearInstalledProvider(db, params.accountId), 'account'));
    },
  );

  routes.get(
    '/connections',
    { operationId: 'adminFindConnections', summary: 'Connections of a user or calendar address, in any account', query: connectionQuery, responses: { 200: json('The connections, with their workflow ids', listSchema(connectionLookupSchema)) } },
    async ({ query }, _req, res) => {
      res.json({ items: await findConnectionsByEmail(db, query.email) });
    },
  );

  return routes;
}
