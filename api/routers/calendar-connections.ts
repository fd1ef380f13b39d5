/**
 * The account's calendar connections at a glance, for a CRM admin: who is connected, to which
 * provider, and who must reconnect (`?status=NEEDS_REAUTH`) and why. Read from the database, which
 * the workflows keep current; one user's live workflow status is at `/users/:id/calendar-connection`.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { CalendarConnection } from '../../generated/prisma/client';
import type { Database } from '../../db/client';
import { accountIdOf } from '../middleware/authenticate';
import { parse } from '../validation';
import { pageArgs, pageOf, pageQuery } from './record-router';

const connectionsQuery = pageQuery.extend({
  status: z.enum(['CONNECTING', 'ACTIVE', 'NEEDS_REAUTH', 'DISCONNECTED'], { message: 'must be CONNECTING, ACTIVE, NEEDS_REAUTH or DISCONNECTED' }).optional(),
  provider: z.enum(['GOOGLE', 'MICROSOFT'], { message: 'must be GOOGLE or MICROSOFT' }).optional(),
});

const view = (c: CalendarConnection & { user: { email: string; name: string | null } }) => ({
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

export function calendarConnectionsRouter(db: Database): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const { status, provider, ...page } = parse(connectionsQuery, req.query, 'query');
    const connections = await db.calendarConnection.findMany({
      where: { accountId: accountIdOf(req), ...(status ? { status } : {}), ...(provider ? { provider } : {}) },
      include: { user: { select: { email: true, name: true } } },
      ...pageArgs(page),
    });
    res.json(pageOf(connections.map(view), page.limit));
  });

  return router;
}
