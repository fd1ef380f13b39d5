/**
 * Accounts (CRM portals) and their API keys. Keys are shown once, when issued; only hashes are kept.
 */
import type { Database } from '../db/client';
import { randomToken, sha256 } from '../lib/crypto';

export interface IssuedApiKey {
  id: string;
  /** The secret: give it to the client now, it cannot be shown again. */
  key: string;
}

export async function issueApiKey(db: Database, accountId: string, name = 'default'): Promise<IssuedApiKey> {
  const key = `ccs_${randomToken(24)}`;
  const created = await db.apiKey.create({ data: { accountId, name, prefix: key.slice(0, 8), keyHash: sha256(key) } });
  return { id: created.id, key };
}

export async function createAccount(db: Database, input: { name: string; domains?: string[] }) {
  const account = await db.account.create({
    data: { name: input.name, domains: [...new Set((input.domains ?? []).map((domain) => domain.trim().toLowerCase()))] },
  });
  const apiKey = await issueApiKey(db, account.id);
  return { account, apiKey };
}
