/**
 * `npm start`: the whole service on embedded defaults. A local Temporal dev server (Web UI on),
 * the embedded PostgreSQL (unless DATABASE_URL is set), migrations, the worker and the API, all in
 * this process; Ctrl-C / SIGTERM stops everything in reverse order.
 */
import fs from 'node:fs';
import { loadConfig } from '../config';
import { createLogger } from '../lib/logger';
import { createMetrics } from '../lib/metrics';
import { openDatabase } from '../runtime/database';
import { ensureDemoAccount } from '../runtime/demo-account';
import { loadAdminToken, loadSecretBox } from '../runtime/secrets';
import { createProviderRegistry } from '../providers/create-registry';
import { googleEmulatorSettings, microsoftEmulatorSettings, startEmulators } from '../runtime/emulators';
import { configuredProviders } from '../runtime/providers';
import { startApi, startWorker } from '../runtime/service';
import { openTemporal } from '../runtime/temporal';
import { installTemporalLogging } from '../worker/create-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  installTemporalLogging(config.logLevel);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  fs.mkdirSync(config.dataDir, { recursive: true });

  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    say('Stopping ...');
    for (const stop of stops.reverse()) {
      await stop().catch((error) => logger.error('stop failed', { error: String(error) }));
    }
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    say(config.temporal.address ? `Temporal: ${config.temporal.address}` : 'Starting the local Temporal dev server ...');
    const temporal = await openTemporal(config, say);
    stops.push(temporal.stop);

    say(config.database.url ? 'Database: DATABASE_URL' : `Starting the embedded PostgreSQL (${config.dataDir}/pglite) ...`);
    const database = await openDatabase(config);
    stops.push(database.close);
    if (database.appliedMigrations.length > 0) say(`Applied migrations: ${database.appliedMigrations.join(', ')}`);

    const demo = await ensureDemoAccount(config, database.db);
    const configured = configuredProviders(config);
    const emulators = await startEmulators(config, { google: !configured.google, microsoft: !configured.microsoft }, [demo.user]);
    stops.push(emulators.stop);
    const providers = createProviderRegistry({
      google: configured.google ?? (emulators.google && googleEmulatorSettings(emulators.google)),
      microsoft: configured.microsoft ?? (emulators.microsoft && microsoftEmulatorSettings(emulators.microsoft)),
    });

    const deps = { config, db: database.db, secrets: loadSecretBox(config), logger, temporal: temporal.target, providers, metrics: createMetrics(), adminToken: loadAdminToken(config) };
    const worker = await startWorker(deps);
    stops.push(worker.stop);
    const api = await startApi(deps);
    stops.push(api.stop);

    say('');
    say(`CRM Calendar Sync is running.`);
    say(`  API:         ${api.url}   (readiness: ${api.url}/readyz)`);
    if (temporal.uiUrl) say(`  Temporal UI: ${temporal.uiUrl}`);
    say(`  Demo API key (account ${demo.accountId}):`);
    say(`    ${demo.apiKey}`);
    say(`  Try: curl -H "Authorization: Bearer ${demo.apiKey}" ${api.url}/v1/account`);
    say(`  Tenants and keys: npm run admin -- accounts list   (admin token in ${config.dataDir}/secrets/admin-token)`);
    if (emulators.google) say(`  Google emulator:    ${emulators.google.url}   (no GOOGLE_CLIENT_ID set)`);
    if (emulators.microsoft) say(`  Microsoft emulator: ${emulators.microsoft.url}   (no MICROSOFT_CLIENT_ID set)`);
    if (emulators.google || emulators.microsoft) {
      say(`  Connect the demo user's calendar: POST ${api.url}/v1/users/${demo.user.id}/calendar-connection/authorize {"provider":"GOOGLE"}`);
    }
    say('Press Ctrl-C to stop.');
  } catch (error) {
    logger.error('start failed', { error: (error as Error).message });
    process.stderr.write(`\n${(error as Error).message}\n`);
    await stopAll(1);
  }
}

void main();
