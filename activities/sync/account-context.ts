/**
 * What the sync rules need to know about the account, loaded once per sync activity in one
 * statement (every sync reads it, so every one-event change does): its own
 * domains (portal domains and its users' connected mail domains), its users' addresses, the
 * product's blocked domains and the account's exclusion list (SPEC §4.4).
 */
import type { Database } from '../../db/client';
import { emailKey } from '../../model/emails';
import { accountDomains } from '../../sync-rules';

export interface AccountContext {
  domains: string[];
  userEmails: string[];
  blockedDomains: string[];
  excludedEmails: string[];
  excludedDomains: string[];
}

/** The four reads above, as one statement's one row (every sync makes them: one per change). */
interface AccountRow {
  domains: string[];
  user_emails: string[];
  provider_emails: string[];
  excluded_emails: string[];
  excluded_domains: string[];
}

export async function loadAccountContext(db: Database, accountId: string, blockedDomains: string[]): Promise<AccountContext> {
  const [row] = await db.$queryRaw<AccountRow[]>`
    SELECT a.domains,
      ARRAY(SELECT u.email_key FROM users u WHERE u.account_id = a.id) AS user_emails,
      ARRAY(SELECT c.provider_email FROM calendar_connections c WHERE c.account_id = a.id) AS provider_emails,
      ARRAY(SELECT e.value FROM account_exclusions e WHERE e.account_id = a.id AND e.kind = 'EMAIL') AS excluded_emails,
      ARRAY(SELECT e.value FROM account_exclusions e WHERE e.account_id = a.id AND e.kind = 'DOMAIN') AS excluded_domains
    FROM accounts a WHERE a.id = ${accountId}::uuid`;
  if (!row) throw new Error(`account ${accountId} does not exist`);
  const account = { domains: row.domains };
  const users = row.user_emails.map((emailKey) => ({ emailKey }));
  const connections = row.provider_emails.map((providerEmail) => ({ providerEmail }));
  const exclusions = [
    ...row.excluded_emails.map((value) => ({ kind: 'EMAIL' as const, value })),
    ...row.excluded_domains.map((value) => ({ kind: 'DOMAIN' as const, value })),
  ];
  return {
    domains: accountDomains(account.domains, connections.map((c) => c.providerEmail)),
    userEmails: [...new Set([...users.map((u) => u.emailKey), ...connections.map((c) => emailKey(c.providerEmail))])],
    blockedDomains,
    excludedEmails: exclusions.filter((e) => e.kind === 'EMAIL').map((e) => e.value),
    excludedDomains: exclusions.filter((e) => e.kind === 'DOMAIN').map((e) => e.value),
  };
}
