/**
 * `npm start`: the whole service on embedded defaults. A local Temporal dev server (Web UI on),
 * the embedded PostgreSQL (unless DATABASE_URL is set), migrations, the emulators (for providers
 * without credentials), the worker and the API, all in this process; Ctrl-C / SIGTERM stops
 * everything in reverse order. Each start carries on from DATA_DIR; `npm start -- --fresh` starts over.
 */
import fs from 'node:fs';
import { loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../lib/logger';
import { createMetrics } from '../lib/metrics';
import { embeddedDatabaseDir, openDatabase } from './database';
import { ensureDemoAccounts, type DemoAccount } from './demo-account';
import { startFresh } from './fresh-start';
import { loadAdminToken, loadSecretBox } from '../service/secrets';
import { createProviderRegistry } from '../providers/create-registry';
import { emulatorStateDir, googleEmulatorSettings, microsoftEmulatorSettings, startEmulators } from './start-emulators';
import { configuredProviders } from '../service/providers';
import { startApi, startWorker } from '../service/start-service';
import { openTemporal } from './temporal-cluster';
import { installTemporalRuntime } from '../service/create-worker';
import { runProcess, type ProcessLifecycle } from '../service/process-lifecycle';

const USAGE = 'usage: npm start [-- --fresh]   (--fresh: start over, see README "Quick start")';

function main(): void {
  const options = process.argv.slice(2);
  const unknown = options.filter((option) => option !== '--fresh');
  if (unknown.length > 0) {
    process.stderr.write(`unknown option ${unknown.join(' ')}\n${USAGE}\n`);
    process.exit(2);
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  installTemporalRuntime(config.logLevel, { workflowStackTraces: config.temporal.workflowStackTraces });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  fs.mkdirSync(config.dataDir, { recursive: true });
  runProcess((lifecycle) => start({ config, logger, say, fresh: options.includes('--fresh') }, lifecycle), {
    stopping: () => say('Stopping ...'),
    startFailed: (error) => {
      logger.error('start failed', { error: error.message });
      process.stderr.write(`\n${error.message}\n`);
    },
    stopFailed: (error) => logger.error('stop failed', { error: String(error) }),
  });
}

interface StartOptions {
  config: Config;
  logger: Logger;
  say: (line: string) => void;
  /** `--fresh`: the embedded stack starts over first. */
  fresh: boolean;
}

async function start({ config, logger, say, fresh }: StartOptions, lifecycle: ProcessLifecycle): Promise<void> {
  if (fresh) await startFresh(config, say);
  say(config.temporal.address ? `Temporal: ${config.temporal.address}` : 'Starting the local Temporal dev server ...');
  const temporal = await openTemporal(config, say);
  lifecycle.onStop(temporal.stop);

  say(config.database.url ? 'Database: DATABASE_URL' : `Starting the embedded PostgreSQL (${embeddedDatabaseDir(config)}) ...`);
  const database = await openDatabase(config);
  lifecycle.onStop(database.close);
  if (database.appliedMigrations.length > 0) say(`Applied migrations: ${database.appliedMigrations.join(', ')}`);

  const demos = await ensureDemoAccounts(config, database.db);
  const configured = configuredProviders(config);
  const emulators = await startEmulators(config, { google: !configured.google, microsoft: !configured.microsoft }, demos.map((demo) => demo.user));
  lifecycle.onStop(emulators.stop);
  const providers = createProviderRegistry({
    google: configured.google ?? (emulators.google && googleEmulatorSettings(emulators.google)),
    microsoft: configured.microsoft ?? (emulators.microsoft && microsoftEmulatorSettings(emulators.microsoft)),
  });

  const deps = { config, db: database.db, secrets: loadSecretBox(config), logger, temporal: temporal.target, providers, metrics: createMetrics(), adminToken: loadAdminToken(config) };
  const worker = await startWorker(deps);
  lifecycle.onStop(worker.stop);
  const api = await startApi(deps);
  lifecycle.onStop(api.stop);

  say('');
  say(`CRM Calendar Sync is running.`);
  say(`  API:         ${api.url}   (readiness: ${api.url}/readyz)`);
  if (temporal.uiUrl) say(`  Temporal UI: ${temporal.uiUrl}`);
  if (emulators.google) say(`  Google emulator:    ${emulators.google.url}   (no GOOGLE_CLIENT_ID set)`);
  if (emulators.microsoft) say(`  Microsoft emulator: ${emulators.microsoft.url}   (no MICROSOFT_CLIENT_ID set)`);
  if (emulators.google || emulators.microsoft) say(`  Emulator state:     ${emulatorStateDir(config)}   (npm start -- --fresh starts over)`);
  say(`  Tenants and keys: npm run admin -- accounts list   (admin token in ${config.dataDir}/secrets/admin-token)`);
  for (const demo of demos) {
    const emulatorUrl = demo.provider === 'GOOGLE' ? emulators.google?.url : emulators.microsoft?.url;
    if (emulatorUrl) for (const line of walkthrough(demo, api.url, emulatorUrl, `${config.dataDir}/emulator-ca/ca.pem`)) say(line);
    else say(`  Demo account for ${demo.provider} (user ${demo.user.email}, id ${demo.user.id}): API key ${demo.apiKey}`);
  }
  say('Press Ctrl-C to stop.');
}

/**
 * Commands that work when pasted in order into a shell: variable names that collide with none of the
 * shell's own (not USER), and an invitation for tomorrow rather than a fixed date.
 */
function walkthrough(demo: DemoAccount, apiUrl: string, emulatorUrl: string, caFile: string): string[] {
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const [start, end] = [`${tomorrow}T10:00:00Z`, `${tomorrow}T10:30:00Z`];
  const google = demo.provider === 'GOOGLE';
  const p = google ? 'GOOGLE' : 'OUTLOOK';
  const curlEmulator = google ? 'curl -s' : `curl -s --cacert ${caFile}`;
  const invitation = JSON.stringify([demo.user.email, { organizer: demo.contact.email, [google ? 'summary' : 'subject']: 'Intro call', start, end }]);
  return [
    '',
    `  Try it on ${google ? 'Google Calendar' : 'Outlook'} (paste in another terminal, in order):`,
    `    export ${p}_KEY=${demo.apiKey} ${p}_USER_ID=${demo.user.id} ${p}_CONTACT_ID=${demo.contact.id}`,
    `    curl -s -H "Authorization: Bearer $${p}_KEY" -H 'Content-Type: application/json' -d '{"provider":"${demo.provider}"}' ${apiUrl}/v1/users/$${p}_USER_ID/calendar-connection/authorize`,
    google
      ? `    #   open the authorizationUrl it prints and click "Allow"; then the connection is ACTIVE:`
      : `    #   open the authorizationUrl it prints (a browser that trusts ${caFile}: README "Try it") and click "Accept"; then the connection is ACTIVE:`,
    `    curl -s -H "Authorization: Bearer $${p}_KEY" ${apiUrl}/v1/users/$${p}_USER_ID/calendar-connection`,
    `    #   ${demo.contact.email} (a contact) invites ${demo.user.email} ...`,
    `    ${curlEmulator} -H 'Content-Type: application/json' ${emulatorUrl}/_emulator/inviteUser -d '${invitation}'`,
    `    #   ... and the meeting is on the contact's timeline:`,
    `    curl -s -H "Authorization: Bearer $${p}_KEY" ${apiUrl}/v1/contacts/$${p}_CONTACT_ID/meetings`,
  ];
}

main();
