/**
 * A user's out-of-office periods. Periods set here become out-of-office events in the user's calendar
 * and removing one removes its event; periods from the calendar arrive through the sync loop.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import type { WorkflowControl } from '../../connections/workflow-control';
import { usableConnection } from '../../crm/schedule-meeting';
import { notFound } from '../http-errors';
import { idempotent, idempotentRecordId } from '../middleware/idempotency';
import { accountIdOf } from '../middleware/authenticate';
import { parse } from '../validation';

const userParams = z.object({ userId: z.uuid({ message: 'must be a UUID' }) });
const periodParams = userParams.extend({ id: z.uuid({ message: 'must be a UUID' }) });
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with offset' });
export const periodBody = z
  .object({ startAt: instant, endAt: instant, title: z.string().trim().max(300).optional() })
  .strict()
  .refine((p) => Date.parse(p.endAt) > Date.parse(p.startAt), { path: ['endAt'], message: 'the period must end after it starts' });

const view = (p: { id: string; userId: string; title: string | null; startAt: Date; endAt: Date; source: string; providerEventId: string | null }) => ({
  id: p.id,
  userId: p.userId,
  title: p.title,
  startAt: p.startAt,
  endAt: p.endAt,
  source: p.source,
  calendarEventId: p.providerEventId,
});

export function outOfOfficeRouter(db: Database, workflows: WorkflowControl): Router {
  const router = Router({ mergeParams: true });

  router.get('/', async (req, res) => {
    const { userId } = parse(userParams, req.params, 'params');
    const accountId = accountIdOf(req);
    // Another account's user is not found, not a user without periods.
    if (!(await db.user.findFirst({ where: { id: userId, accountId }, select: { id: true } }))) throw notFound('user');
    const periods = await db.outOfOffice.findMany({ where: { userId, accountId, deletedAt: null }, orderBy: { startAt: 'asc' } });
    res.json({ items: periods.map(view) });
  });

  router.post('/', idempotent(db), async (req, res) => {
    const { userId } = parse(userParams, req.params, 'params');
    const input = parse(periodBody, req.body);
    const accountId = accountIdOf(req);
    await usableConnection(db, accountId, userId);
    const id = idempotentRecordId(req);
    const data = { accountId, userId, title: input.title ?? null, startAt: new Date(input.startAt), endAt: new Date(input.endAt), source: 'CRM' as const };
    // Keyed: a retry of a create whose workflow did not start finds its period (see idempotency.ts).
    const period = id ? await db.outOfOffice.upsert({ where: { id }, create: { ...data, id }, update: {} }) : await db.outOfOffice.create({ data });
    await workflows.syncOutOfOffice(period.id, 'create');
    res.status(202).json(view(period));
  });

  router.delete('/:id', async (req, res) => {
    const { userId, id } = parse(periodParams, req.params, 'params');
    const where = { id, userId, accountId: accountIdOf(req) };
    const { count } = await db.outOfOffice.updateMany({ where: { ...where, deletedAt: null }, data: { deletedAt: new Date() } });
    // Deleting again is not an error: it finishes a removal whose workflow may not have started.
    if (count === 0 && !(await db.outOfOffice.findFirst({ where, select: { id: true } }))) throw notFound('out-of-office period');
    await workflows.syncOutOfOffice(id, 'delete');
    res.status(202).json({ removed: true });
  });

  return router;
}
