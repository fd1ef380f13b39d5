/**
 * Out-of-office periods set in the CRM (SPEC §5): written here, then made out-of-office events in the
 * user's calendar by a workflow; removing one is a soft delete the workflow finishes. Periods from the
 * calendar arrive through the sync loop.
 */
import type { Database } from '../db/client';
import { usableConnection } from './calendar-connection';
import { RecordNotFoundError } from './errors';

export interface PeriodInput {
  /** Date-times with offset. */
  startAt: string;
  endAt: string;
  title?: string;
}

/** The user's live periods, earliest first; another account's user is not found, not a user without periods. */
export async function listPeriods(db: Database, accountId: string, userId: string) {
  if (!(await db.user.findFirst({ where: { id: userId, accountId }, select: { id: true } }))) throw new RecordNotFoundError('user');
  return db.outOfOffice.findMany({ where: { userId, accountId, deletedAt: null }, orderBy: { startAt: 'asc' } });
}

/**
 * Writes a CRM period, once the user's calendar can take its event. `id`, when given, makes it
 * idempotent: a retry of a create whose workflow did not start finds its period (api/middleware/idempotency.ts).
 */
export async function createPeriod(db: Database, accountId: string, userId: string, input: PeriodInput, id?: string) {
  await usableConnection(db, accountId, userId);
  const data = { accountId, userId, title: input.title ?? null, startAt: new Date(input.startAt), endAt: new Date(input.endAt), source: 'CRM' as const };
  return id ? db.outOfOffice.upsert({ where: { id }, create: { ...data, id }, update: {} }) : db.outOfOffice.create({ data });
}

/** Marks a period removed. Removing it again is no error: it lets the caller finish a removal whose workflow may not have started. */
export async function removePeriod(db: Database, accountId: string, userId: string, id: string): Promise<void> {
  const where = { id, userId, accountId };
  const { count } = await db.outOfOffice.updateMany({ where: { ...where, deletedAt: null }, data: { deletedAt: new Date() } });
  if (count === 0 && !(await db.outOfOffice.findFirst({ where, select: { id: true } }))) throw new RecordNotFoundError('out-of-office period');
}
