/**
 * Tenant administration for operators (behind the admin token, never an account's API key):
 * accounts, their API keys (issue, list, revoke, rotate with a grace period), finding a user's
 * connection by address, and freeing an account's calendar integration. `npm run admin` is the same
 * surface from a shell (scripts/admin.ts).
 */
import express, { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { accountSummary, apiKeyView, clearInstalledProvider, createAccount, findConnectionsByEmail, issueApiKey, revokeApiKey, rotateApiKey } from '../../crm/accounts';
import { notFound } from '../http-errors';
import { adminAuth } from '../middleware/admin-auth';
import { parse } from '../validation';
import { accountUpdate } from './account';
import { pageArgs, pageOf, pageQuery } from './record-router';

const DAY_SECONDS = 86_400;

export const adminSchemas = {
  createAccount: z.object({ name: z.string().trim().min(1, 'must not be empty').max(200), domains: accountUpdate.shape.domains }).strict(),
  issueKey: z.object({ name: z.string().trim().min(1, 'must not be empty').max(100).default('default') }).strict(),
  rotateKey: z
    .object({ graceSeconds: z.number().int().min(0).max(30 * DAY_SECONDS, 'must be at most 30 days').default(DAY_SECONDS) })
    .strict(),
};

const accountParams = z.object({ accountId: z.uuid({ message: 'must be a UUID' }) });
const keyParams = accountParams.extend({ keyId: z.uuid({ message: 'must be a UUID' }) });
const connectionQuery = z.object({ email: z.string().trim().pipe(z.email({ message: 'must be an email address' })) });

export function adminRouter(db: Database, adminToken: string | undefined): Router {
  const router = Router();
  const requireAccount = async (accountId: string) => {
    if (!(await db.account.findUnique({ where: { id: accountId }, select: { id: true } }))) throw notFound('account');
  };
  router.use(adminAuth(adminToken));
  router.use(express.json({ limit: '64kb' }));

  router.post('/accounts', async (req, res) => {
    const input = parse(adminSchemas.createAccount, req.body);
    const { account, apiKey } = await createAccount(db, input);
    res.status(201).json({ account, apiKey });
  });

  router.get('/accounts', async (req, res) => {
    const page = parse(pageQuery, req.query, 'query');
    res.json(pageOf(await db.account.findMany(pageArgs(page)), page.limit));
  });

  router.get('/accounts/:accountId', async (req, res) => {
    const { accountId } = parse(accountParams, req.params, 'params');
    const summary = await accountSummary(db, accountId);
    if (!summary) throw notFound('account');
    res.json(summary);
  });

  router.post('/accounts/:accountId/api-keys', async (req, res) => {
    const { accountId } = parse(accountParams, req.params, 'params');
    const { name } = parse(adminSchemas.issueKey, req.body);
    await requireAccount(accountId);
    res.status(201).json(await issueApiKey(db, accountId, name));
  });

  router.get('/accounts/:accountId/api-keys', async (req, res) => {
    const { accountId } = parse(accountParams, req.params, 'params');
    await requireAccount(accountId);
    const keys = await db.apiKey.findMany({ where: { accountId }, orderBy: { createdAt: 'asc' } });
    res.json({ items: keys.map(apiKeyView) });
  });

  router.delete('/accounts/:accountId/api-keys/:keyId', async (req, res) => {
    const { accountId, keyId } = parse(keyParams, req.params, 'params');
    const revoked = await revokeApiKey(db, accountId, keyId);
    if (!revoked) throw notFound('API key');
    res.json(apiKeyView(revoked));
  });

  router.post('/accounts/:accountId/api-keys/:keyId/rotate', async (req, res) => {
    const { accountId, keyId } = parse(keyParams, req.params, 'params');
    const { graceSeconds } = parse(adminSchemas.rotateKey, req.body);
    const rotated = await rotateApiKey(db, accountId, keyId, graceSeconds * 1000);
    if (!rotated) throw notFound('API key');
    res.status(201).json({ apiKey: rotated.issued, previous: apiKeyView(rotated.previous) });
  });

  router.delete('/accounts/:accountId/installed-provider', async (req, res) => {
    const { accountId } = parse(accountParams, req.params, 'params');
    const account = await clearInstalledProvider(db, accountId);
    if (!account) throw notFound('account');
    res.json(account);
  });

  router.get('/connections', async (req, res) => {
    const { email } = parse(connectionQuery, req.query, 'query');
    res.json({ items: await findConnectionsByEmail(db, email) });
  });

  return router;
}
