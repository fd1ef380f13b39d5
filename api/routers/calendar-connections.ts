/**
 * The account's calendar connections at a glance, for a CRM admin: who is connected, to which
 * provider, and who must reconnect (`?status=NEEDS_REAUTH`) and why. Read from the database, which
 * the workflows keep current; one user's live workflow status is at `/users/:id/calendar-connection`.
 */
import { z } from 'zod';
import type { CalendarConnection } from '../../generated/prisma/client';
import type { Database } from '../../db/client';
import { PROVIDER_NAMES } from '../../model/calendar-event';
import { CONNECTION_STATUSES } from '../../model/connection-status';
import { accountIdOf } from '../middleware/authenticate';
import { connectionSummarySchema, pageSchema } from '../responses';
import { ApiRoutes } from '../routes';
import { pageArgs } from '../../db/paging';
import { pageOf, pageQuery } from '../paging';

const connectionsQuery = pageQuery.extend({
  status: z.enum(CONNECTION_STATUSES, { message: 'must be CONNECTING, ACTIVE, NEEDS_REAUTH or DISCONNECTED' }).optional(),
  provider: z.enum(PROVIDER_NAMES, { message: 'must be GOOGLE or MICROSOFT' }).optional(),
});

export const connectionSummaryView = (c: CalendarConnection & { user: { email: string; name: string | null } }) => ({
  id: c.id,
  userId: c.userId,
  user: c.user,
  provider: c.provider,
  email: c.providerEmail,
  status: c.status,
  statusReason: c.statusReason,
  connectedAt: c.connectedAt,
  lastSyncAt: c.lastSyncAt,
  lastError: c.lastError,
  lastErrorAt: c.lastErrorAt,
});

export function calendarConnectionsRouter(db: Database): ApiRoutes {
  const routes = new ApiRoutes({ tags: ['Calendar connection'], security: 'apiKey' });

  routes.get(
    '/',
    {
      operationId: 'listCalendarConnections',
      summary: 'The account’s calendar connections, by status and provider (who must reconnect, and why)',
      query: connectionsQuery,
      responses: { 200: { description: 'A page of connections', schema: pageSchema(connectionSummarySchema) } },
    },
    async ({ query: { status, provider, ...page } }, req, res) => {
      const connections = await db.calendarConnection.findMany({
        where: { accountId: accountIdOf(req), ...(status ? { status } : {}), ...(provider ? { provider } : {}) },
        include: { user: { select: { email: true, name: true } } },
        ...pageArgs(page),
      });
      res.json(pageOf(connections.map(connectionSummaryView), page.limit));
    },
  );

  return routes;
}
