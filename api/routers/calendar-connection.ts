/**
 * A user's calendar connection: start connecting (the consent URL), see its status (from the workflow
 * when it runs, else from the database), force a resync, disconnect.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { authorizationUrl, IntegrationConflictError, UnknownUserError, type ConnectDependencies } from '../../connections/connect';
import { ProviderNotConfiguredError } from '../../providers/create-registry';
import { conflict, HttpError, notFound } from '../http-errors';
import { accountIdOf } from '../middleware/authenticate';
import { parse } from '../validation';

const params = z.object({ userId: z.uuid({ message: 'must be a UUID' }) });
export const authorizeBody = z.object({ provider: z.enum(['GOOGLE', 'MICROSOFT'], { message: 'must be GOOGLE or MICROSOFT' }) }).strict();

export function calendarConnectionRouter(deps: ConnectDependencies): Router {
  const router = Router({ mergeParams: true });
  const { db, workflows } = deps;

  const findConnection = async (accountId: string, userId: string) => {
    const connection = await db.calendarConnection.findFirst({ where: { userId, accountId } });
    if (!connection) throw notFound('calendar connection');
    return connection;
  };

  router.post('/authorize', async (req, res) => {
    const { userId } = parse(params, req.params, 'params');
    const { provider } = parse(authorizeBody, req.body);
    try {
      res.json({ authorizationUrl: await authorizationUrl(deps, { accountId: accountIdOf(req), userId, provider }) });
    } catch (error) {
      if (error instanceof IntegrationConflictError) throw conflict('integration_installed', error.message, { installedProvider: error.installed });
      if (error instanceof UnknownUserError) throw notFound('user');
      if (error instanceof ProviderNotConfiguredError) throw new HttpError(422, 'provider_not_configured', error.message);
      throw error;
    }
  });

  /** Milliseconds since the cursor moved, computed now (the workflow hands out the instant, not the age). */
  const cursorAgeMs = (updatedAt: string | undefined) => (updatedAt ? Date.now() - Date.parse(updatedAt) : null);

  router.get('/', async (req, res) => {
    const { userId } = parse(params, req.params, 'params');
    const connection = await findConnection(accountIdOf(req), userId);
    const live = await workflows.status(connection.id);
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
    const connection = await findConnection(accountIdOf(req), userId);
    try {
      await workflows.resync(connection.id);
    } catch (error) {
      throw new HttpError(409, 'not_syncing', `the connection cannot resync now: ${(error as Error).message}`);
    }
    res.status(202).json({ accepted: true });
  });

  router.delete('/', async (req, res) => {
    const { userId } = parse(params, req.params, 'params');
    const connection = await findConnection(accountIdOf(req), userId);
    const signalled = await workflows.disconnect(connection.id);
    if (!signalled) {
      // No workflow to do it: mark it here (the channel has lapsed with the workflow).
      await disconnectRow(db, connection.id);
    }
    res.status(202).json({ disconnecting: true });
  });

  return router;
}

async function disconnectRow(db: Database, connectionId: string): Promise<void> {
  await db.calendarConnection.update({ where: { id: connectionId }, data: { status: 'DISCONNECTED', disconnectedAt: new Date(), statusReason: 'disconnected by the user' } });
}
