/**
 * Access to the run's shared services (see test/global-setup.ts) from inside a test file.
 */
import { Client, Connection } from '@temporalio/client';
import { createDatabase, type Database } from '../../db/client';
import { EMBEDDED_MAX_CONNECTIONS } from '../../devstack/embedded-postgres';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with jest (test/global-setup.ts sets it)`);
  return value;
}

export const databaseUrl = () => required('TEST_DATABASE_URL');
export const databaseIsEmbedded = () => process.env.TEST_DATABASE_EMBEDDED === '1';
export const temporalAddress = () => required('TEST_TEMPORAL_ADDRESS');
export const workflowBundlePath = () => required('TEST_WORKFLOW_BUNDLE');

/**
 * A Prisma client on the run's database; disconnect it in afterAll. `maxConnections` as a service
 * process would have it (the end-to-end harness runs API and worker on one client).
 */
export function testDatabase(maxConnections = 4): Database {
  return createDatabase({ url: databaseUrl(), maxConnections: databaseIsEmbedded() ? EMBEDDED_MAX_CONNECTIONS : maxConnections });
}

export async function testTemporalClient(): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address: temporalAddress() }) });
}
