/**
 * Liveness and readiness. /readyz answers 200 only when the database and Temporal both answer.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';

async function check(name: string, probe: () => Promise<unknown>): Promise<[string, string]> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2s')), 2000))]);
    return [name, 'ok'];
  } catch (error) {
    return [name, `unavailable: ${(error as Error).message}`];
  }
}

export function healthRouter(db: Database, temporal: Client): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = Object.fromEntries(
      await Promise.all([
        check('database', () => db.$queryRaw`SELECT 1`),
        check('temporal', () => temporal.workflowService.getSystemInfo({})),
      ]),
    );
    const ready = Object.values(checks).every((status) => status === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  return router;
}
