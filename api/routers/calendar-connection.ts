/**
 * A user's calendar connection: start connecting (the consent URL), see its status (from the workflow
 * when it runs, else from the database), force a resync, disconnect.
 */
import { z } from 'zod';
import { authorizationUrl, type ConnectDependencies } from '../../connections/connect';
import { markDisconnected, userConnection } from '../../crm/calendar-connection';
import type { CalendarConnection } from '../../generated/prisma/client';
import { PROVIDER_NAMES } from '../../model/calendar-event';
import type { ConnectionStatusView } from '../../workflows/connection-messages';
import { accountIdOf } from '../middleware/authenticate';
import { connectionStatusSchema, errorSchema } from '../responses';
import { ApiRoutes } from '../routes';
import { uuid } from '../validation';

const params = z.object({ userId: uuid() });
export const authorizeBody = z.object({ provider: z.enum(PROVIDER_NAMES, { message: 'must be GOOGLE or MICROSOFT' }) }).strict();

/** Milliseconds since the cursor moved, computed now (the workflow hands out the instant, not the age). */
const cursorAgeMs = (updatedAt: string | undefined) => (updatedAt ? Date.now() - Date.parse(updatedAt) : null);

/** The connection as its workflow reports it when one runs (`live`), else as last stored. */
export const connectionStatusView = (connection: CalendarConnection, live: ConnectionStatusView | undefined) => ({
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

export function calendarConnectionRouter(deps: ConnectDependencies): ApiRoutes {
  const routes = new ApiRoutes({ tags: ['Calendar connection'], security: 'apiKey' }, { mergeParams: true });
  const { db, temporal } = deps;

  routes.post(
    '/authorize',
    {
      operationId: 'authorizeCalendarConnection',
      summary: 'Start connecting: the provider consent URL to send the user to',
      params,
      body: authorizeBody,
      responses: {
        200: { description: 'The consent URL', schema: z.object({ authorizationUrl: z.url() }) },
        409: { description: 'The account has the other provider installed (the message names it, `details.installedProvider` too)', schema: errorSchema },
        422: { description: 'This provider is not configured on the server', schema: errorSchema },
      },
    },
    async ({ params: { userId }, body: { provider } }, req, res) => {
      res.json({ authorizationUrl: await authorizationUrl(deps, { accountId: accountIdOf(req), userId, provider }) });
    },
  );

  routes.get(
    '/',
    {
      operationId: 'getCalendarConnection',
      summary: 'Connection status (from the workflow), cursor age, channel expiry, last reconciliation and last error',
      params,
      responses: { 200: { description: 'The connection', schema: connectionStatusSchema } },
    },
    async ({ params: { userId } }, req, res) => {
      const connection = await userConnection(db, accountIdOf(req), userId);
      res.json(connectionStatusView(connection, await temporal.status(connection.id)));
    },
  );

  routes.post(
    '/resync',
    {
      operationId: 'resyncCalendarConnection',
      summary: 'Force a full re-read of the synced window (creates no duplicates)',
      params,
      responses: {
        202: { description: 'Accepted', schema: z.object({ accepted: z.literal(true) }) },
        409: { description: '`not_syncing`: no workflow runs for the connection, or it needs re-auth or is disconnecting', schema: errorSchema },
      },
    },
    async ({ params: { userId } }, req, res) => {
      const connection = await userConnection(db, accountIdOf(req), userId);
      // Not syncing (no workflow, or it refuses) is a 409, Temporal down a 503: the error table says which.
      await temporal.resync(connection.id);
      res.status(202).json({ accepted: true });
    },
  );

  routes.delete(
    '/',
    {
      operationId: 'disconnectCalendarConnection',
      summary: 'Disconnect: stop the push channel, end the workflow; synced meetings stay',
      params,
      responses: { 202: { description: 'Disconnecting', schema: z.object({ disconnecting: z.literal(true) }) } },
    },
    async ({ params: { userId } }, req, res) => {
      const connection = await userConnection(db, accountIdOf(req), userId);
      if (!(await temporal.disconnect(connection.id))) await markDisconnected(db, connection.id);
      res.status(202).json({ disconnecting: true });
    },
  );

  return routes;
}
