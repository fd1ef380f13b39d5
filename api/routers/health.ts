/**
 * Liveness and readiness. /readyz answers 200 only when the database and Temporal both answer. It is
 * unauthenticated, so it names the failing dependency and no more: the error itself (hosts, ports)
 * goes to the log.
 */
import { z } from 'zod';
import type { Database } from '../../db/client';
import type { Logger } from '../../lib/logger';
import type { ApiTemporalClient } from '../temporal-client';
import { ApiRoutes } from '../routes';

const PROBE_TIMEOUT_MS = 2000;

async function check(logger: Logger, name: string, probe: () => Promise<unknown>): Promise<[string, string]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS)))]);
    return [name, 'ok'];
  } catch (error) {
    logger.warn('readiness check failed', { dependency: name, error: (error as Error).message });
    return [name, 'unavailable'];
  } finally {
    clearTimeout(timer);
  }
}

const checkStatus = z.enum(['ok', 'unavailable']);
const readiness = z.object({ status: z.enum(['ready', 'not ready']), checks: z.object({ database: checkStatus, temporal: checkStatus }) });

export function healthRouter(db: Database, temporal: Pick<ApiTemporalClient, 'ping'>, logger: Logger): ApiRoutes {
  const routes = new ApiRoutes({ tags: ['Operations'], security: 'none' });
  routes.get('/healthz', { operationId: 'getLiveness', summary: 'Liveness', responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } } }, (_input, _req, res) => {
    res.json({ status: 'ok' });
  });
  routes.get(
    '/readyz',
    {
      operationId: 'getReadiness',
      summary: 'Readiness: the database and Temporal answer',
      responses: { 200: { description: 'Ready', schema: readiness }, 503: { description: 'Not ready: each check says which dependency did not answer', schema: readiness } },
    },
    async (_input, _req, res) => {
      const checks = Object.fromEntries(
        await Promise.all([check(logger, 'database', () => db.$queryRaw`SELECT 1`), check(logger, 'temporal', () => temporal.ping())]),
      );
      const ready = Object.values(checks).every((status) => status === 'ok');
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
    },
  );
  return routes;
}
