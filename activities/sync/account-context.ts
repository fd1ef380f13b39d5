/**
 * What the sync rules need to know about the account, read once per sync activity by the statement
 * that opens the sync's session (every sync reads it, so every one-event change does): its own
 * domains (portal domains and its users' connected mail domains), its users' addresses, the
 * product's blocked domains and the account's exclusion list (SPEC §4.4).
 */
import type { Database } from '../../db/client';
import { Prisma } from '../../generated/prisma/client';
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
export interface AccountContextRow {
  domains: string[];
  user_emails: string[];
  provider_emails: string[];
  excluded_emails: string[];
  excluded_domains: string[];
}

/**
 * The row's columns, of the account aliased `a`: a sync's session reads them with its connection
 * (activities/provider-session.ts), so a one-event change makes one statement fewer.
 */
export const ACCOUNT_CONTEXT_COLUMNS = Prisma.sql`a.domains,
  ARRAY(SELECT u.email_key FROM users u WHERE u.account_id = a.id) AS user_emails,
  ARRAY(SELECT ac.provider_email FROM calendar_connections ac WHERE ac.account_id = a.id) AS provider_emails,
  ARRAY(SELECT e.value FROM account_exclusions e WHERE e.account_id = a.id AND e.kind = 'EMAIL') AS excluded_emails,
  ARRAY(SELECT e.value FROM account_exclusions e WHERE e.account_id = a.id AND e.kind = 'DOMAIN') AS excluded_domains`;

/** The account's columns of a wider row (the session's also holds the sealed credentials, which stay out of it). */
export function accountContextColumnsOf(row: AccountContextRow): AccountContextRow {
  const { domains, user_emails, provider_emails, excluded_emails, excluded_domains } = row;
  return { domains, user_emails, provider_emails, excluded_emails, excluded_domains };
}

export async function loadAccountContext(db: Database, accountId: string, blockedDomains: string[]): Promise<AccountContext> {
  const [row] = await db.$queryRaw<AccountContextRow[]>`SELECT ${ACCOUNT_CONTEXT_COLUMNS} FROM accounts a WHERE a.id = ${accountId}::uuid`;
  if (!row) throw new Error(`account ${accountId} does not exist`);
  return accountContextOf(row, blockedDomains);
}

export function accountContextOf(row: AccountContextRow, blockedDomains: string[]): AccountContext {
  return {
    domains: accountDomains(row.domains, row.provider_emails),
    userEmails: [...new Set([...row.user_emails, ...row.provider_emails.map(emailKey)])],
    blockedDomains,
    excludedEmails: row.excluded_emails,
    excludedDomains: row.excluded_domains,
  };
}
