/**
 * Prisma Client over the `pg` driver adapter: no native query engine, plain PostgreSQL wire protocol,
 * so the same code runs against a real server and against the embedded PGlite one.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Database = PrismaClient;

export interface DatabaseOptions {
  url: string;
  /** Pool size; the embedded server serves one connection at a time (see devstack/embedded-postgres.ts). */
  maxConnections?: number;
}

export function createDatabase({ url, maxConnections = 10 }: DatabaseOptions): Database {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: maxConnections }) });
}
