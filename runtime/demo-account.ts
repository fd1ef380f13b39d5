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

export async function ensureDemoAccount(config: Config, db: Database): Promise<{ accountId: string; apiKey: string }> {
  const keyFile = path.join(config.dataDir, 'secrets', 'demo-api-key');
  if (fs.existsSync(keyFile)) {
    const apiKey = fs.readFileSync(keyFile, 'utf8').trim();
    const existing = await db.apiKey.findUnique({ where: { keyHash: sha256(apiKey) } });
    if (existing) return { accountId: existing.accountId, apiKey };
  }
  const { account, apiKey } = await createAccount(db, { name: 'Demo portal', domains: ['demo-portal.example'] });
  await db.user.create({ data: { accountId: account.id, email: 'owner@demo-portal.example', emailKey: 'owner@demo-portal.example', name: 'Demo owner' } });
  fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyFile, apiKey.key, { mode: 0o600 });
  return { accountId: account.id, apiKey: apiKey.key };
}
