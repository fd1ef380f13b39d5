/**
 * Contacts' companies. A company set through the API (or "none", `null`) is explicit and final. With
 * the account's `matchCompaniesByDomain` on, every other contact belongs to the oldest company whose
 * domain is its email's domain, or to none: re-evaluated when a contact is created or its email
 * changes, when a company gets, changes or drops its domain, and when the setting is turned on.
 * Meetings follow at read time (a company's timeline is its contacts' meetings), so nothing here
 * touches meetings.
 */
import { Prisma } from '../generated/prisma/client';
import type { Database } from '../db/client';
import { InvalidInputError } from './errors';

type Tx = Prisma.TransactionClient | Database;

/** Which contacts a re-match looks at. */
type Scope = { contactId: string } | { domains: string[] } | 'all';

const scopeSql = (scope: Scope): Prisma.Sql => {
  if (scope === 'all') return Prisma.empty;
  if ('contactId' in scope) return Prisma.sql`AND c.id = ${scope.contactId}::uuid`;
  return Prisma.sql`AND substring(c.email_key from '@([^@]*)$') = ANY(${scope.domains}::text[])`;
};

/**
 * Applies the email-domain rule to the account's contacts in `scope` that no one assigned
 * explicitly (nothing happens while the setting is off). Returns how many contacts changed.
 */
export async function rematchCompanies(db: Tx, accountId: string, scope: Scope): Promise<number> {
  if (typeof scope === 'object' && 'domains' in scope && scope.domains.length === 0) return 0;
  return db.$executeRaw`
    UPDATE contacts AS target
    SET company_id = matched.company_id,
        company_assignment = CASE WHEN matched.company_id IS NULL THEN NULL ELSE 'EMAIL_DOMAIN'::"CompanyAssignment" END,
        updated_at = CURRENT_TIMESTAMP
    FROM (
      SELECT c.id,
             (SELECT co.id FROM companies co
               WHERE co.account_id = c.account_id AND co.domain = substring(c.email_key from '@([^@]*)$')
               ORDER BY co.created_at, co.id LIMIT 1) AS company_id
      FROM contacts c JOIN accounts a ON a.id = c.account_id
      WHERE c.account_id = ${accountId}::uuid AND a.match_companies_by_domain
        AND c.company_assignment IS DISTINCT FROM 'EXPLICIT' ${scopeSql(scope)}
    ) AS matched
    WHERE target.id = matched.id AND target.company_id IS DISTINCT FROM matched.company_id`;
}

/** A company named in a request must be the account's: otherwise a 400 naming the field. */
export async function checkCompany(db: Tx, accountId: string, companyId: string | null): Promise<void> {
  if (companyId === null) return;
  const company = await db.company.findFirst({ where: { id: companyId, accountId }, select: { id: true } });
  if (!company) throw new InvalidInputError([{ field: 'companyId', problem: `no company with id ${companyId}` }]);
}

type ContactFields = Record<string, unknown> & { companyId?: string | null; emailKey?: string };

/** `companyId` present (a company or null) is an explicit assignment. */
const assignment = (companyId: string | null | undefined) => (companyId === undefined ? {} : { companyId, companyAssignment: 'EXPLICIT' as const });

export async function createContact(db: Database, { companyId, ...data }: ContactFields & { accountId: string }) {
  await checkCompany(db, data.accountId, companyId ?? null);
  const contact = await db.contact.create({ data: { ...data, ...assignment(companyId) } as Prisma.ContactUncheckedCreateInput });
  if (companyId !== undefined || (await rematchCompanies(db, data.accountId, { contactId: contact.id })) === 0) return contact;
  return db.contact.findUniqueOrThrow({ where: { id: contact.id } });
}

/** Updates the account's contact `id`; a new email is matched again unless the company is explicit. */
export async function updateContact(db: Database, where: { id: string; accountId: string }, { companyId, ...data }: ContactFields) {
  await checkCompany(db, where.accountId, companyId ?? null);
  const { count } = await db.contact.updateMany({ where, data: { ...data, ...assignment(companyId) } });
  if (count > 0 && companyId === undefined && data.emailKey !== undefined) await rematchCompanies(db, where.accountId, { contactId: where.id });
  return { count };
}

export async function createCompany(db: Database, data: Record<string, unknown> & { accountId: string; domain?: string | null }) {
  const company = await db.company.create({ data: data as Prisma.CompanyUncheckedCreateInput });
  if (company.domain) await rematchCompanies(db, data.accountId, { domains: [company.domain] });
  return company;
}

/** A changed domain re-matches the contacts of the old domain (they may belong elsewhere now) and of the new one. */
export async function updateCompany(db: Database, where: { id: string; accountId: string }, data: Record<string, unknown> & { domain?: string | null }) {
  if (data.domain === undefined) return db.company.updateMany({ where, data });
  const before = await db.company.findFirst({ where, select: { domain: true } });
  if (!before) return { count: 0 };
  const { count } = await db.company.updateMany({ where, data });
  if (count > 0 && before.domain !== data.domain) {
    await rematchCompanies(db, where.accountId, { domains: [before.domain, data.domain].filter((d): d is string => !!d) });
  }
  return { count };
}
