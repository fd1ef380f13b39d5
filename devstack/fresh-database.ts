/**
 * A new, empty database on a PostgreSQL server, dropped again afterwards: the bench and the chaos
 * run start from nothing on every run instead of on what earlier runs left in DATABASE_URL's
 * database (a bench run leaves over 20,000 meetings; runs on a grown database measured slower), and
 * tests that must start from nothing get one too.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

export interface FreshDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A database named `<prefix>_<random>` beside the one `serverUrl` names, on the same server and role. */
export async function createFreshDatabase(serverUrl: string, prefix: string): Promise<FreshDatabase> {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(prefix)) throw new Error(`database name prefix must be lower-case letters, digits and _: "${prefix}"`);
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
