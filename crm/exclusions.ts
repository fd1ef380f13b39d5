/**
 * The account's exclusion list: addresses and domains whose people are never logged. The sync rules
 * treat them as internal people (SPEC §4.4); meetings already logged keep them until the event's next
 * change, which re-matches its guests without them.
 */
import type { Database } from '../db/client';
import type { ExclusionKind } from '../generated/prisma/client';

export type Exclusion = { email: string } | { domain: string };

export interface ExclusionView {
  type: 'email' | 'domain';
  value: string;
  createdAt: Date;
}

const kindOf = (exclusion: Exclusion): { kind: ExclusionKind; value: string } =>
  'email' in exclusion ? { kind: 'EMAIL', value: exclusion.email.trim().toLowerCase() } : { kind: 'DOMAIN', value: exclusion.domain.trim().toLowerCase() };

const view = (row: { kind: ExclusionKind; value: string; createdAt: Date }): ExclusionView => ({
  type: row.kind === 'EMAIL' ? 'email' : 'domain',
  value: row.value,
  createdAt: row.createdAt,
});

export async function listExclusions(db: Database, accountId: string): Promise<ExclusionView[]> {
  const rows = await db.accountExclusion.findMany({ where: { accountId }, orderBy: [{ kind: 'asc' }, { value: 'asc' }] });
  return rows.map(view);
}

/** Adds it unless it is there already; `created` says which (a repeat is not an error). */
export async function addExclusion(db: Database, accountId: string, exclusion: Exclusion): Promise<{ created: boolean; exclusion: ExclusionView }> {
  const key = { accountId, ...kindOf(exclusion) };
  const { count } = await db.accountExclusion.createMany({ data: [key], skipDuplicates: true });
  const row = await db.accountExclusion.findUniqueOrThrow({ where: { accountId_kind_value: key } });
  return { created: count === 1, exclusion: view(row) };
}

/** Removing one that is not there is a no-op, so a retried DELETE is harmless. */
export async function removeExclusion(db: Database, accountId: string, exclusion: Exclusion): Promise<void> {
  await db.accountExclusion.deleteMany({ where: { accountId, ...kindOf(exclusion) } });
}
