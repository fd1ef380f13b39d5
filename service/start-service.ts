/**
 * Starts the two halves of the service on an open database and Temporal cluster: the worker (workflows
 * + activities) and the HTTP API. `npm start` runs both in one process; production runs them apart.
 */
import http from 'node:http';
import type { Worker, WorkflowBundleOption } from '@temporalio/worker';
import type { Config } from '../config';
import type { Database } from '../db/client';
import type { SecretBox } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import type { ProviderRegistry } from '../providers/registry';
import { ChannelDenyList } from '../connections/channel-deny-list';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { ApiTemporalClient } from '../api/temporal-client';
import { connectWorker, type TemporalTarget } from './temporal-connection';
import { createWorker } from './create-worker';
import { startEventWebhookWorker } from './event-webhook-worker';

export interface ServiceDependencies {
  config: Config;
  db: Database;
  secrets: SecretBox;
  logger: Logger;
  temporal: TemporalTarget;
  providers: ProviderRegistry;
  /** One registry per process: the API and an in-process worker share it. */
  metrics: Metrics;
  /** The operators' token for /admin (service/secrets.ts); the admin API is off without one. */
  adminToken?: string;
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export async function startWorker(deps: ServiceDependencies, workflowBundle?: WorkflowBundleOption): Promise<RunningWorker> {
  const connection = await connectWorker(deps.temporal);
  const worker = await createWorker({
    connection,
    namespace: deps.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    activities: createActivities(deps),
    workflowBundle,
    maxCachedWorkflows: deps.config.temporal.maxCachedWorkflows,
  });
  const running = worker.run();
  const eventWebhooks = await startEventWebhookWorker(deps, connection);
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await Promise.all([running, eventWebhooks?.stop()]);
      await connection.close();
    },
  };
}

export interface RunningApi {
  url: string;
  temporal: ApiTemporalClient;
  stop(): Promise<void>;
}

export async function startApi(deps: ServiceDependencies): Promise<RunningApi> {
  const temporal = await ApiTemporalClient.connect(deps.temporal, deps.config);
  const channelDenyList = new ChannelDenyList(deps.db, deps.logger, deps.config.api.channelDenyListRefreshMs);
  channelDenyList.start();
  const app = createApp({
    db: deps.db,
    temporal,
    providers: deps.providers,
    secrets: deps.secrets,
    logger: deps.logger,
    metrics: deps.metrics,
    publicBaseUrl: deps.config.api.publicBaseUrl,
    oauthStateTtlMs: deps.config.oauthStateTtlMs,
    channelDenyList,
    webhookSignalTimeoutMs: deps.config.api.webhookSignalTimeoutMs,
    adminToken: deps.adminToken,
    eventWebhooks: { production: deps.config.production, retryForMs: deps.config.eventWebhooks.retryForMs },
  });
  const server = http.createServer(app);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(deps.config.api.port, deps.config.api.host, resolve);
    });
  } catch (error) {
    // The port is taken: leave nothing running behind the error.
    channelDenyList.stop();
    await temporal.close();
    throw error;
  }
  const { port } = server.address() as { port: number };
  return {
    url: `http://${deps.config.api.host}:${port}`,
    temporal,
    async stop() {
      channelDenyList.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await temporal.close();
    },
  };
}
