/**
 * The demo accounts `npm start` creates on its first run, so the API can be tried at once: one portal
 * per calendar provider (an account installs one integration), each with a user and a contact. Their
 * API keys are kept under the data directory (development only) and printed at every start.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { createAccount } from '../crm/accounts';
import { sha256 } from '../lib/crypto';
import type { ProviderName } from '../model/calendar-event';

export interface DemoAccount {
  provider: ProviderName;
  accountId: string;
  apiKey: string;
  user: { id: string; email: string; name: string };
  /** A contact of the portal: an invitation from it lands on its timeline. */
  contact: { id: string; email: string };
}

interface DemoPortal {
  provider: ProviderName;
  name: string;
  domain: string;
  keyFile: string;
  user: { email: string; name: string };
  contact: { email: string; firstName: string; lastName: string };
}

const PORTALS: DemoPortal[] = [
  {
    provider: 'GOOGLE', name: 'Demo portal', domain: 'demo-portal.example', keyFile: 'demo-api-key',
    user: { email: 'owner@demo-portal.example', name: 'Demo owner' },
    contact: { email: 'ann.buyer@customer.example', firstName: 'Ann', lastName: 'Buyer' },
  },
  {
    provider: 'MICROSOFT', name: 'Demo portal (Outlook)', domain: 'demo-outlook.example', keyFile: 'demo-api-key-outlook',
    user: { email: 'owner@demo-outlook.example', name: 'Demo Outlook owner' },
    contact: { email: 'bo.buyer@customer.example', firstName: 'Bo', lastName: 'Buyer' },
  },
];

async function ensurePortal(config: Config, db: Database, portal: DemoPortal): Promise<DemoAccount> {
  const keyFile = path.join(config.dataDir, 'secrets', portal.keyFile);
  if (fs.existsSync(keyFile)) {
    const apiKey = fs.readFileSync(keyFile, 'utf8').trim();
    const existing = await db.apiKey.findUnique({ where: { keyHash: sha256(apiKey) } });
    const [user, contact] = existing
      ? await Promise.all([
          db.user.findFirst({ where: { accountId: existing.accountId, emailKey: portal.user.email } }),
          db.contact.findFirst({ where: { accountId: existing.accountId, emailKey: portal.contact.email } }),
        ])
      : [null, null];
    if (existing && user && contact) {
      return { provider: portal.provider, accountId: existing.accountId, apiKey, user: { id: user.id, ...portal.user }, contact: { id: contact.id, email: contact.email } };
    }
  }
  const { account, apiKey } = await createAccount(db, { name: portal.name, domains: [portal.domain] });
  const user = await db.user.create({ data: { accountId: account.id, email: portal.user.email, emailKey: portal.user.email, name: portal.user.name } });
  const contact = await db.contact.create({ data: { accountId: account.id, emailKey: portal.contact.email, ...portal.contact } });
  fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyFile, apiKey.key, { mode: 0o600 });
  return { provider: portal.provider, accountId: account.id, apiKey: apiKey.key, user: { id: user.id, ...portal.user }, contact: { id: contact.id, email: contact.email } };
}

export async function ensureDemoAccounts(config: Config, db: Database): Promise<DemoAccount[]> {
  const accounts: DemoAccount[] = [];
  for (const portal of PORTALS) accounts.push(await ensurePortal(config, db, portal));
  return accounts;
}
