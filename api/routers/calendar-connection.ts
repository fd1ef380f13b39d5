/**
 * A user's calendar connection: start connecting (the consent URL), see its status (from the workflow
 * when it runs, else from the database), force a resync, disconnect.
 */
import { Router } from 'express';
import { z } from 'zod';
import { authorizationUrl, type ConnectDependencies } from '../../connections/connect';
import { markDisconnected, userConnection } from '../../crm/calendar-connection';
import { accountIdOf } from '../middleware/authenticate';
import { parse } from '../validation';

const params = z.object({ userId: z.uuid({ message: 'must be a UUID' }) });
export const authorizeBody = z.object({ provider: z.enum(['GOOGLE', 'MICROSOFT'], { message: 'must be GOOGLE or MICROSOFT' }) }).strict();

export function calendarConnectionRouter(deps: ConnectDependencies): Router {
  const router = Router({ mergeParams: true });
  const { db, temporal } = deps;

  router.post('/authorize', async (req, res) => {
    const { userId } = parse(params, req.params, 'params');
    const { provider } = parse(authorizeBody, req.body);
    res.json({ authorizationUrl: await authorizationUrl(deps, { accountId: accountIdOf(req), userId, provider }) });
  });

  /** Milliseconds since the cursor moved, computed now (the workflow hands out the instant, not the age). */
  const cursorAgeMs = (updatedAt: string | undefined) => (updatedAt ? Date.now() - Date.parse(updatedAt) : null);

  router.get('/', async (req, res) => {
    const { userId } = parse(params, req.params, 'params');
    const connection = await userConnection(db, accountIdOf(req), userId);
    const live = await temporal.status(connection.id);
    res.json({
      id: connection.id,
      userId: connection.userId,
      provider: connection.provider,
      email: connection.providerEmail,
      status: live?.status ?? connection.status,
      statusReason: live?.statusReason ?? connection.statusReason,
      connectedAt: connection.connectedAt,
      lastSyncAt: live?.lastSyncAt ?? connection.lastSyncAt,
      cursorAgeMs: cursorAgeMs(live?.cursorUpdatedAt ?? connection.cursorUpdatedAt?.toISOString()),
      channelExpiresAt: live?.channelExpiresAt ?? null,
      lastReconcile: live?.lastReconcile ?? null,
      lastError: live?.lastError ?? connection.lastError,
      lastErrorAt: connection.lastErrorAt,
      workflowRunning: live !== undefined,
    });
  });

  router.post('/resync', async (req, res) => {
    const { userId } = parse(params, req.params, 'params');
    const connection = await userConnection(db, accountIdOf(req), userId);
    // Not syncing (no workflow, or it refuses) is a 409, Temporal down a 503: the error table says which.
    await temporal.resync(connection.id);
    res.status(202).json({ accepted: true });
  });

  router.delete('/', async (req, res) => {
    const { userId } = parse(params, req.params, 'params');
    const connection = await userConnection(db, accountIdOf(req), userId);
    if (!(await temporal.disconnect(connection.id))) await markDisconnected(db, connection.id);
    res.status(202).json({ disconnecting: true });
  });

  return router;
}
