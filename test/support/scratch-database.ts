/**
 * An empty database of its own for a test that must start from nothing (migration tests): a new
 * database on the run's PostgreSQL server, or a fresh in-memory embedded one.
 */
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../devstack/embedded-postgres';
import { createFreshDatabase } from '../../devstack/fresh-database';
import { databaseIsEmbedded, databaseUrl } from './services';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(): Promise<ScratchDatabase> {
  if (databaseIsEmbedded()) {
    const embedded = await startEmbeddedPostgres({ dataDir: 'memory', port: 0 });
    return { url: embedded.url, drop: () => embedded.stop() };
  }
  const { url, drop } = await createFreshDatabase(databaseUrl(), 'scratch');
  return { url, drop };
}

/** Runs `fn` with a client on `url`, closing it afterwards. */
export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
