/**
 * The API app on the run's database and Temporal, for supertest.
 */
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import type { Database } from '../../db/client';
import { createLogger } from '../../lib/logger';
import { createMetrics } from '../../lib/metrics';

export function testApp(db: Database, temporal: Client) {
  return createApp({ db, temporal, logger: createLogger('silent'), metrics: createMetrics() });
}
