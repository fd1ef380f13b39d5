/**
 * Accounts (CRM portals, the tenants) and their API keys, as operators administer them. Keys are
 * shown once, when issued; only hashes are kept. A rotated key keeps working for a grace period so
 * its clients can move to the new one; a revoked key stops at once.
 */
import type { Database } from '../db/client';
import { randomToken, sha256 } from '../lib/crypto';
import { connectionWorkflowId } from '../workflows/connection-messages';
import { rematchCompanies } from './companies';
import { StateConflictError } from './errors';

export interface IssuedApiKey {
  id: string;
  name: string;
  prefix: string;
  /** The secret: give it to the client now, it cannot be shown again. */
  key: string;
}

/** What an operator may see of a key: never the key. */
export const apiKeyView = (key: { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null; revokedAt: Date | null }) => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  createdAt: key.createdAt,
  lastUsedAt: key.lastUsedAt,
  expiresAt: key.expiresAt,
  revokedAt: key.revokedAt,
});

export async function issueApiKey(db: Database, accountId: string, name = 'default'): Promise<IssuedApiKey> {
  const key = `ccs_${randomToken(24)}`;
  const created = await db.apiKey.create({ data: { accountId, name, prefix: key.slice(0, 8), keyHash: sha256(key) } });
  return { id: created.id, name: created.name, prefix: created.prefix, key };
}

export async function createAccount(db: Database, input: { name: string; domains?: string[] }) {
  const account = await db.account.create({
    data: { name: input.name, domains: [...new Set((input.domains ?? []).map((domain) => domain.trim().toLowerCase()))] },
  });
  const apiKey = await issueApiKey(db, account.id);
  return { account, apiKey };
}

/**
 * An account's own settings, changed by its API key. Turning `matchCompaniesByDomain` on matches
 * every contact at once (crm/companies.ts); duplicate domains are kept once.
 */
export async function updateAccount(db: Database, accountId: string, changes: { name?: string; domains?: string[]; matchCompaniesByDomain?: boolean }) {
  const data = { ...changes, ...(changes.domains ? { domains: [...new Set(changes.domains)] } : {}) };
  const account = await db.account.update({ where: { id: accountId }, data });
  if (changes.matchCompaniesByDomain) await rematchCompanies(db, accountId, 'all');
  return account;
}

/** The account with what an operator asks first: how many users, and its connections by status. */
export async function accountSummary(db: Database, accountId: string) {
  const account = await db.account.findUnique({ where: { id: accountId } });
  if (!account) return undefined;
  const [users, connections] = await Promise.all([
    db.user.count({ where: { accountId } }),
    db.calendarConnection.groupBy({ by: ['status'], where: { accountId }, _count: true }),
  ]);
  return { ...account, users, connections: Object.fromEntries(connections.map((row) => [row.status, row._count])) };
}

async function liveKey(db: Database, accountId: string, keyId: string) {
  const key = await db.apiKey.findFirst({ where: { id: keyId, accountId } });
  if (!key) return undefined;
  if (key.revokedAt) throw new StateConflictError('key_revoked', `API key ${key.prefix}… is revoked`);
  return key;
}

/** Stops a key at once; undefined when the account has no such key. */
export async function revokeApiKey(db: Database, accountId: string, keyId: string) {
  const key = await db.apiKey.findFirst({ where: { id: keyId, accountId } });
  if (!key) return undefined;
  return key.revokedAt ? key : db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
}

/**
 * A new key in place of `keyId`, which keeps working for `graceMs` more (never longer than it
 * already would). Undefined when the account has no such key.
 */
export async function rotateApiKey(db: Database, accountId: string, keyId: string, graceMs: number) {
  const key = await liveKey(db, accountId, keyId);
  if (!key) return undefined;
  const endsAt = new Date(Date.now() + graceMs);
  const expiresAt = key.expiresAt && key.expiresAt < endsAt ? key.expiresAt : endsAt;
  const issued = await issueApiKey(db, accountId, key.name);
  const previous = await db.apiKey.update({ where: { id: key.id }, data: { expiresAt } });
  return { issued, previous };
}

/**
 * Lets an account install the other calendar integration: only once none of its connections is
 * live, so no calendar of the old provider keeps syncing into it.
 */
export async function clearInstalledProvider(db: Database, accountId: string) {
  const account = await db.account.findUnique({ where: { id: accountId } });
  if (!account) return undefined;
  const live = await db.calendarConnection.count({ where: { accountId, status: { not: 'DISCONNECTED' } } });
  if (live > 0) {
    throw new StateConflictError('connections_active', `${live} calendar connection${live === 1 ? ' is' : 's are'} not disconnected; disconnect ${live === 1 ? 'it' : 'them'} first`);
  }
  return db.account.update({ where: { id: accountId }, data: { installedProvider: null } });
}

/** Connections whose user or calendar address is `email`, in any account: where an operator starts. */
export async function findConnectionsByEmail(db: Database, email: string) {
  const key = email.trim().toLowerCase();
  const connections = await db.calendarConnection.findMany({
    where: { OR: [{ user: { emailKey: key } }, { providerEmail: { equals: key, mode: 'insensitive' } }] },
    include: { user: { select: { id: true, email: true } }, account: { select: { id: true, name: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return connections.map((c) => ({
    id: c.id,
    account: c.account,
    user: c.user,
    provider: c.provider,
    providerEmail: c.providerEmail,
    status: c.status,
    statusReason: c.statusReason,
    lastSyncAt: c.lastSyncAt,
    lastError: c.lastError,
    lastErrorAt: c.lastErrorAt,
    workflowId: connectionWorkflowId(c.id),
  }));
}
