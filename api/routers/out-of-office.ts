/**
 * A user's out-of-office periods. Periods set here become out-of-office events in the user's calendar
 * and removing one removes its event; periods from the calendar arrive through the sync loop.
 */
import { z } from 'zod';
import type { Database } from '../../db/client';
import { createPeriod, listPeriods, removePeriod } from '../../crm/out-of-office';
import type { OutOfOffice } from '../../generated/prisma/client';
import type { ApiTemporalClient } from '../temporal-client';
import { idempotencyKeyHeader, idempotent, idempotentRecordId } from '../middleware/idempotency';
import { accountIdOf } from '../middleware/authenticate';
import { errorSchema, listSchema, periodSchema } from '../responses';
import { ApiRoutes } from '../routes';
import { uuid } from '../validation';

const userParams = z.object({ userId: uuid() });
const periodParams = userParams.extend({ id: uuid() });
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with offset' });
export const periodBody = z
  .object({ startAt: instant, endAt: instant, title: z.string().trim().max(300).optional() })
  .strict()
  .refine((p) => Date.parse(p.endAt) > Date.parse(p.startAt), { path: ['endAt'], message: 'the period must end after it starts' });

export const periodView = (p: Pick<OutOfOffice, 'id' | 'userId' | 'title' | 'startAt' | 'endAt' | 'source' | 'providerEventId'>) => ({
  id: p.id,
  userId: p.userId,
  title: p.title,
  startAt: p.startAt,
  endAt: p.endAt,
  source: p.source,
  calendarEventId: p.providerEventId,
});

export function outOfOfficeRouter(db: Database, temporal: ApiTemporalClient): ApiRoutes {
  const routes = new ApiRoutes({ tags: ['Out of office'], security: 'apiKey' }, { mergeParams: true });

  routes.get(
    '/',
    { operationId: 'listOutOfOffice', summary: 'The user’s away periods (from the CRM and from the calendar)', params: userParams, responses: { 200: { description: 'Periods, earliest first', schema: listSchema(periodSchema) } } },
    async ({ params: { userId } }, req, res) => {
      res.json({ items: (await listPeriods(db, accountIdOf(req), userId)).map(periodView) });
    },
  );

  routes.post(
    '/',
    {
      operationId: 'createOutOfOffice',
      summary: 'Set an away period: an out-of-office event is created in the user’s calendar',
      params: userParams,
      headers: idempotencyKeyHeader,
      body: periodBody,
      before: [idempotent(db)],
      responses: {
        202: { description: 'The period', schema: periodSchema },
        409: { description: 'No usable calendar connection, or the key is in use', schema: errorSchema },
        422: { description: 'The Idempotency-Key was used for a different request', schema: errorSchema },
      },
    },
    async ({ params: { userId }, body }, req, res) => {
      const period = await createPeriod(db, accountIdOf(req), userId, body, idempotentRecordId(req));
      await temporal.syncOutOfOffice(period.id, 'create');
      res.status(202).json(periodView(period));
    },
  );

  routes.delete(
    '/:id',
    {
      operationId: 'removeOutOfOffice',
      summary: 'Remove a period and its calendar event; removing it again finishes a removal that failed half-way',
      params: periodParams,
      responses: { 202: { description: 'Removed', schema: z.object({ removed: z.literal(true) }) } },
    },
    async ({ params: { userId, id } }, req, res) => {
      await removePeriod(db, accountIdOf(req), userId, id);
      // Also when it was removed before: this finishes a removal whose workflow may not have started.
      await temporal.syncOutOfOffice(id, 'delete');
      res.status(202).json({ removed: true });
    },
  );

  return routes;
}
