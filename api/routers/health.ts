/**
 * Liveness and readiness. /readyz answers 200 only when the database and Temporal both answer. It is
 * unauthenticated, so it names the failing dependency and no more: the error itself (hosts, ports)
 * goes to the log.
 */
import { Router } from 'express';
import type { Database } from '../../db/client';
import type { Logger } from '../../lib/logger';
import type { ApiTemporalClient } from '../../temporal/api-client';

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

export function healthRouter(db: Database, temporal: Pick<ApiTemporalClient, 'ping'>, logger: Logger): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = Object.fromEntries(
      await Promise.all([
        check(logger, 'database', () => db.$queryRaw`SELECT 1`),
        check(logger, 'temporal', () => temporal.ping()),
      ]),
    );
    const ready = Object.values(checks).every((status) => status === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  return router;
}
