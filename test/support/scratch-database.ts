/**
 * An empty database of its own for a test that must start from nothing (migration tests): a new
 * database on the run's PostgreSQL server, or a fresh in-memory embedded one.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../devstack/embedded-postgres';
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
  const name = `scratch_${randomUUID().replace(/-/g, '')}`;
  const admin = new Client({ connectionString: databaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(databaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: databaseUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
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
