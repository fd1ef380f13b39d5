/**
 * A user's out-of-office periods. Periods set here become out-of-office events in the user's calendar
 * and removing one removes its event; periods from the calendar arrive through the sync loop.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { createPeriod, listPeriods, removePeriod } from '../../crm/out-of-office';
import type { ApiTemporalClient } from '../../temporal/api-client';
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

export function outOfOfficeRouter(db: Database, temporal: ApiTemporalClient): Router {
  const router = Router({ mergeParams: true });

  router.get('/', async (req, res) => {
    const { userId } = parse(userParams, req.params, 'params');
    res.json({ items: (await listPeriods(db, accountIdOf(req), userId)).map(view) });
  });

  router.post('/', idempotent(db), async (req, res) => {
    const { userId } = parse(userParams, req.params, 'params');
    const input = parse(periodBody, req.body);
    const period = await createPeriod(db, accountIdOf(req), userId, input, idempotentRecordId(req));
    await temporal.syncOutOfOffice(period.id, 'create');
    res.status(202).json(view(period));
  });

  router.delete('/:id', async (req, res) => {
    const { userId, id } = parse(periodParams, req.params, 'params');
    await removePeriod(db, accountIdOf(req), userId, id);
    // Also when it was removed before: this finishes a removal whose workflow may not have started.
    await temporal.syncOutOfOffice(id, 'delete');
    res.status(202).json({ removed: true });
  });

  return router;
}
