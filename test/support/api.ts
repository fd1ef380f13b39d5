/**
 * The API app on the run's database and Temporal, for supertest. No provider is configured: tests
 * that connect calendars use the end-to-end harness (test/support/sync-harness.ts).
 */
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { ChannelDenyList } from '../../connections/channel-deny-list';
import type { Database } from '../../db/client';
import { generateKey, SecretBox } from '../../lib/crypto';
import { createLogger } from '../../lib/logger';
import { createMetrics } from '../../lib/metrics';
import { createProviderRegistry } from '../../providers/create-registry';
import type { EndpointPolicy } from '../../event-webhooks/endpoints';
import { ApiTemporalClient } from '../../api/temporal-client';
import { testDatabase, testTemporalClient } from './services';

export const UNUSED_TIMINGS = { pollIntervalMs: 60_000, reconcileIntervalMs: 3_600_000, channelRenewMarginMs: 60_000, activityHeartbeatTimeoutMs: 30_000 };

/** `temporal`: the API's Temporal client, when a test stands in for it; `secrets`, `eventWebhooks`: as a test needs them. */
export function testApp(db: Database, temporal: Client, options: { adminToken?: string; temporal?: ApiTemporalClient; secrets?: SecretBox; eventWebhooks?: EndpointPolicy } = {}) {
  return createApp({
    db,
    temporal: options.temporal ?? new ApiTemporalClient(temporal, 'api-tests-no-worker', UNUSED_TIMINGS),
    providers: createProviderRegistry({}),
    secrets: options.secrets ?? new SecretBox(generateKey()),
    logger: createLogger('silent'),
    metrics: createMetrics(),
    publicBaseUrl: 'http://127.0.0.1:9',
    oauthStateTtlMs: 600_000,
    channelDenyList: new ChannelDenyList(db, createLogger('silent'), 60_000),
    webhookSignalTimeoutMs: 1500,
    adminToken: options.adminToken,
    eventWebhooks: options.eventWebhooks,
  });
}

/** Opens the app on the run's services for one test file and closes them after it. */
export function useTestApp(): { readonly db: Database; readonly app: Express } {
  const context = {} as { db: Database; temporal: Client; app: Express };
  beforeAll(async () => {
    context.db = testDatabase();
    context.temporal = await testTemporalClient();
    context.app = testApp(context.db, context.temporal);
  });
  afterAll(async () => {
    await context.db.$disconnect();
    await context.temporal.connection.close();
  });
  return context;
}
