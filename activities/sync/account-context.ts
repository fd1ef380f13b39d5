/**
 * What the sync rules need to know about the account, loaded once per sync activity: its own
 * domains (portal domains and its users' connected mail domains), its users' addresses, the
 * product's blocked domains and the account's exclusion list (SPEC §4.4).
 */
import type { Database } from '../../db/client';

/**
 * Mail services shared by the whole world: a user who connects a gmail.com calendar does not make
 * every gmail.com contact internal.
 */
const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
]);

export interface AccountContext {
  domains: string[];
  userEmails: string[];
  blockedDomains: string[];
  excludedEmails: string[];
  excludedDomains: string[];
}

const domainOf = (email: string) => email.trim().toLowerCase().split('@')[1] ?? '';

export async function loadAccountContext(db: Database, accountId: string, blockedDomains: string[]): Promise<AccountContext> {
  const [account, users, connections, exclusions] = await Promise.all([
    db.account.findUniqueOrThrow({ where: { id: accountId }, select: { domains: true } }),
    db.user.findMany({ where: { accountId }, select: { emailKey: true } }),
    db.calendarConnection.findMany({ where: { accountId }, select: { providerEmail: true } }),
    db.accountExclusion.findMany({ where: { accountId }, select: { kind: true, value: true } }),
  ]);
  const connectedDomains = connections.map((c) => domainOf(c.providerEmail)).filter((d) => d && !PUBLIC_MAIL_DOMAINS.has(d));
  return {
    domains: [...new Set([...account.domains, ...connectedDomains])],
    userEmails: [...new Set([...users.map((u) => u.emailKey), ...connections.map((c) => c.providerEmail.trim().toLowerCase())])],
    blockedDomains,
    excludedEmails: exclusions.filter((e) => e.kind === 'EMAIL').map((e) => e.value),
    excludedDomains: exclusions.filter((e) => e.kind === 'DOMAIN').map((e) => e.value),
  };
}
