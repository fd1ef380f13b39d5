/**
 * `npm run api`: an API process for production (DATABASE_URL and TEMPORAL_ADDRESS required).
 */
import { loadConfig } from '../config';
import { createProviderRegistry } from '../providers/create-registry';
import { configuredProviders } from './providers';
import { createDatabase } from '../db/client';
import { migrate } from '../db/migrate';
import { createLogger } from '../lib/logger';
import { createMetrics } from '../lib/metrics';
import { requireProductionServices } from './require-services';
import { loadAdminToken, loadSecretBox } from './secrets';
import { startApi } from './start-service';
import { targetFromConfig } from './temporal-connection';
import { runProcess } from './process-lifecycle';

runProcess(async (lifecycle) => {
  const config = loadConfig();
  const { databaseUrl, temporalAddress } = requireProductionServices(config);
  const logger = createLogger(config.logLevel, { process: 'api' });
  for (const warning of config.temporal.deprecated) logger.warn(warning);
  await migrate(databaseUrl);
  const db = createDatabase({ url: databaseUrl });
  lifecycle.onStop(() => db.$disconnect());
  const api = await startApi({ config, db, secrets: loadSecretBox(config), logger, temporal: targetFromConfig(config, temporalAddress), providers: createProviderRegistry(configuredProviders(config)), metrics: createMetrics(), adminToken: loadAdminToken(config) });
  lifecycle.onStop(api.stop);
  logger.info('api listening', { url: api.url });
});
