/**
 * A worker as production runs it (`service/worker-process.ts` in a process of its own), pointed at a harness's
 * emulators, database, Temporal and task queue: for tests that kill it or read its /metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { databaseUrl, temporalAddress, workflowBundlePath } from './services';
import type { SyncHarness } from './sync-harness';

export function startWorkerProcess(harness: SyncHarness, env: Record<string, string> = {}): ChildProcess {
  const { google, microsoft, config } = harness;
  // `--import tsx` keeps the worker in this one process (the tsx CLI would fork a child SIGKILL misses).
  return spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../service/worker-process.ts')], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      WORKER_METRICS_PORT: '0',
      DATABASE_URL: databaseUrl(),
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
      TEMPORAL_WORKFLOW_BUNDLE: workflowBundlePath(),
      ENCRYPTION_KEY: config.encryptionKey,
      GOOGLE_CLIENT_ID: 'crm-calendar-sync',
      GOOGLE_CLIENT_SECRET: 'emulator-secret',
      GOOGLE_API_ROOT_URL: google.rootUrl,
      GOOGLE_OAUTH_AUTH_URL: google.authUrl,
      GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
      GOOGLE_OAUTH_REVOKE_URL: google.revokeUrl,
      MICROSOFT_CLIENT_ID: 'crm-calendar-sync',
      MICROSOFT_CLIENT_SECRET: 'emulator-secret',
      MICROSOFT_AUTHORITY: microsoft.authority,
      MICROSOFT_GRAPH_BASE_URL: microsoft.graphBaseUrl,
      MICROSOFT_CA_CERT_PATH: microsoft.caCertPath,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
