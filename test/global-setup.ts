/**
 * Once per test run: one Temporal dev server, one migrated database (DATABASE_URL, else an in-memory
 * embedded PostgreSQL) and one workflow bundle. Tests reach them through the TEST_* variables set
 * here (test workers inherit this process's environment) and isolate themselves by creating their
 * own accounts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres } from '../devstack/embedded-postgres';
import { migrate } from '../db/migrate';
import { startTemporalDevServer } from '../devstack/temporal-dev-server';
import { buildWorkflowBundle } from '../service/workflow-bundle';

/** Low enough that the continue-as-new tests cross the boundary within seconds. */
export const TEST_SUGGEST_CONTINUE_AS_NEW_AT = 150;

export default async function globalSetup(): Promise<void> {
  const runDir = path.resolve(__dirname, '../.data/test-run');
  fs.mkdirSync(runDir, { recursive: true });

  const bundlePath = path.join(runDir, 'workflow-bundle.js');
  const [temporal, database] = await Promise.all([
    startTemporalDevServer({
      port: 0,
      uiPort: false,
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': TEST_SUGGEST_CONTINUE_AS_NEW_AT },
      log: () => undefined,
    }),
    process.env.DATABASE_URL
      ? Promise.resolve({ url: process.env.DATABASE_URL, stop: async () => undefined, embedded: false })
      : startEmbeddedPostgres({ dataDir: 'memory', port: 0 }).then((db) => ({ ...db, embedded: true })),
    buildWorkflowBundle(bundlePath),
  ]);
  await migrate(database.url);


  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_DATABASE_URL = database.url;
  process.env.TEST_DATABASE_EMBEDDED = database.embedded ? '1' : '';
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  (globalThis as Record<string, unknown>).__testServices = [temporal, database];
}
