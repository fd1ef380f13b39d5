/**
 * The demo account `npm start` creates on its first run, so the API can be tried at once. Its API key
 * is kept under the data directory (development only) and printed at every start.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { createAccount } from '../crm/accounts';
import { sha256 } from '../lib/crypto';

export interface DemoAccount {
  accountId: string;
  apiKey: string;
  user: { id: string; email: string; name: string };
}

const DEMO_USER = { email: 'owner@demo-portal.example', name: 'Demo owner' };
/** A contact of the demo portal, so an invitation from it shows on a timeline at once. */
const DEMO_CONTACT = { email: 'ann.buyer@customer.example', firstName: 'Ann', lastName: 'Buyer' };

export async function ensureDemoAccount(config: Config, db: Database): Promise<DemoAccount> {
  const keyFile = path.join(config.dataDir, 'secrets', 'demo-api-key');
  if (fs.existsSync(keyFile)) {
    const apiKey = fs.readFileSync(keyFile, 'utf8').trim();
    const existing = await db.apiKey.findUnique({ where: { keyHash: sha256(apiKey) } });
    const user = existing && (await db.user.findFirst({ where: { accountId: existing.accountId, emailKey: DEMO_USER.email } }));
    if (existing && user) return { accountId: existing.accountId, apiKey, user: { id: user.id, ...DEMO_USER } };
  }
  const { account, apiKey } = await createAccount(db, { name: 'Demo portal', domains: ['demo-portal.example'] });
  const user = await db.user.create({ data: { accountId: account.id, email: DEMO_USER.email, emailKey: DEMO_USER.email, name: DEMO_USER.name } });
  await db.contact.create({ data: { accountId: account.id, email: DEMO_CONTACT.email, emailKey: DEMO_CONTACT.email, firstName: DEMO_CONTACT.firstName, lastName: DEMO_CONTACT.lastName } });
  fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyFile, apiKey.key, { mode: 0o600 });
  return { accountId: account.id, apiKey: apiKey.key, user: { id: user.id, ...DEMO_USER } };
}
