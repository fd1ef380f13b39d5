/**
 * `npm run api`: an API process for production (DATABASE_URL and TEMPORAL_ADDRESS required).
 */
import { loadConfig } from '../config';
import { createProviderRegistry } from '../providers/create-registry';
import { configuredProviders } from '../runtime/providers';
import { createDatabase } from '../db/client';
import { migrate } from '../db/migrate';
import { createLogger } from '../lib/logger';
import { createMetrics } from '../lib/metrics';
import { requireProductionServices } from '../runtime/require-services';
import { loadAdminToken, loadSecretBox } from '../runtime/secrets';
import { startApi } from '../runtime/service';
import { targetFromConfig } from '../temporal/connection';

async function main(): Promise<void> {
  const config = loadConfig();
  const { databaseUrl, temporalAddress } = requireProductionServices(config);
  const logger = createLogger(config.logLevel, { process: 'api' });
  for (const warning of config.temporal.deprecated) logger.warn(warning);
  await migrate(databaseUrl);
  const db = createDatabase({ url: databaseUrl });
  const api = await startApi({ config, db, secrets: loadSecretBox(config), logger, temporal: targetFromConfig(config, temporalAddress), providers: createProviderRegistry(configuredProviders(config)), metrics: createMetrics(), adminToken: loadAdminToken(config) });
  logger.info('api listening', { url: api.url });
  const stop = async () => {
    await api.stop();
    await db.$disconnect();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
