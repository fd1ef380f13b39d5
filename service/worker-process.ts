/**
 * `npm run worker`: a worker process for production (DATABASE_URL and TEMPORAL_ADDRESS required).
 */
import { loadConfig } from '../config';
import { createProviderRegistry } from '../providers/create-registry';
import { configuredProviders } from './providers';
import { createDatabase } from '../db/client';
import { createLogger } from '../lib/logger';
import { createMetrics } from '../lib/metrics';
import { loadSecretBox } from './secrets';
import { startWorker } from './start-service';
import { targetFromConfig } from './temporal-connection';
import { installTemporalRuntime, missingMallocSettings, WORKER_MALLOC_ENV } from './create-worker';
import { workflowBundleToLoad } from './workflow-bundle';
import { freePort } from '../lib/free-port';
import { serveMetrics } from './metrics-server';
import { requireProductionServices } from './require-services';
import { runProcess } from './process-lifecycle';

runProcess(async (lifecycle) => {
  const config = loadConfig();
  const { databaseUrl, temporalAddress } = requireProductionServices(config);
  const logger = createLogger(config.logLevel, { process: 'worker' });
  const sdkMetricsAddress = config.workerMetricsPort === 0 ? undefined : `127.0.0.1:${await freePort()}`;
  installTemporalRuntime(config.logLevel, { sdkMetricsAddress, workflowStackTraces: config.temporal.workflowStackTraces });
  const db = createDatabase({ url: databaseUrl });
  lifecycle.onStop(() => db.$disconnect());
  const metrics = createMetrics();
  const deps = { config, db, secrets: loadSecretBox(config), logger, temporal: targetFromConfig(config, temporalAddress), providers: createProviderRegistry(configuredProviders(config)), metrics };
  // A bundle built ahead (`npm run build`, or TEMPORAL_WORKFLOW_BUNDLE) spares every start the webpack run.
  const bundlePath = workflowBundleToLoad(config.temporal.workflowBundlePath);
  const worker = await startWorker(deps, bundlePath ? { codePath: bundlePath } : undefined);
  lifecycle.onStop(worker.stop);
  const metricsServer = await serveMetrics(metrics, config.api.host, config.workerMetricsPort, sdkMetricsAddress && `http://${sdkMetricsAddress}/metrics`);
  lifecycle.onStop(metricsServer.stop);
  const missingMalloc = missingMallocSettings(process.env);
  if (missingMalloc.length > 0) {
    logger.warn(`${missingMalloc.join(' and ')} not set: each cached workflow may hold ~300 KB of RSS instead of ~75 KB (npm run worker sets them; README "Quick start")`, { suggested: WORKER_MALLOC_ENV });
  }
  logger.info('worker running', {
    taskQueue: config.temporal.taskQueue,
    metrics: metricsServer.url ?? 'off',
    workflowBundle: bundlePath ?? 'bundled at start',
    maxCachedWorkflows: config.temporal.maxCachedWorkflows,
  });
});
