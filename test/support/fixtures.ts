/**
 * Test data: every test makes its own account, so tests never see each other's records.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/client';
import { createAccount } from '../../crm/accounts';

export async function createTestAccount(db: Database, domains: string[] = []) {
  const { account, apiKey } = await createAccount(db, { name: `Test portal ${randomUUID().slice(0, 8)}`, domains });
  return { account, apiKey: apiKey.key, auth: { Authorization: `Bearer ${apiKey.key}` } };
}
