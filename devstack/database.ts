/**
 * The database the service uses: DATABASE_URL when set, else the embedded PostgreSQL under the data
 * directory. Either way, pending migrations are applied before anything else touches it.
 */
import path from 'node:path';
import type { Config } from '../config';
import { createDatabase, type Database } from '../db/client';
import { EMBEDDED_MAX_CONNECTIONS, startEmbeddedPostgres } from './embedded-postgres';
import { migrate } from '../db/migrate';

export interface OpenDatabase {
  db: Database;
  url: string;
  embedded: boolean;
  appliedMigrations: string[];
  close(): Promise<void>;
}

export const embeddedDatabaseDir = (config: Config) => path.join(config.dataDir, 'pglite');

export async function openDatabase(config: Config): Promise<OpenDatabase> {
  if (config.database.url) {
    const appliedMigrations = await migrate(config.database.url);
    const db = createDatabase({ url: config.database.url });
    return { db, url: config.database.url, embedded: false, appliedMigrations, close: () => db.$disconnect() };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: embeddedDatabaseDir(config), port: config.database.embeddedPort });
  try {
    const appliedMigrations = await migrate(embedded.url);
    const db = createDatabase({ url: embedded.url, maxConnections: EMBEDDED_MAX_CONNECTIONS });
    return {
      db,
      url: embedded.url,
      embedded: true,
      appliedMigrations,
      async close() {
        await db.$disconnect();
        await embedded.stop();
      },
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
