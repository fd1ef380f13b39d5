/**
 * An embedded PostgreSQL for `npm start` and local tests when no DATABASE_URL is given: PGlite
 * (PostgreSQL compiled to WASM) persisted under the data directory, served over the wire protocol so
 * Prisma's `pg` adapter talks to it exactly as to a real server.
 *
 * PGlite is a single session: interleaving two connections' transactions would mix them, so the
 * service uses a pool of one (EMBEDDED_MAX_CONNECTIONS). The server still accepts a few sockets: `pg`
 * replaces a connection after certain errors before the old socket is gone, and a server limit of one
 * would refuse the replacement.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export const EMBEDDED_MAX_CONNECTIONS = 1;
const SERVER_SOCKET_LIMIT = 4;

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Starts PGlite on `host:port` with its files in `dataDir` (reused across starts); `memory` for tests. */
export async function startEmbeddedPostgres(options: {
  dataDir: string | 'memory';
  port: number;
  host?: string;
}): Promise<EmbeddedPostgres> {
  const host = options.host ?? '127.0.0.1';
  let db: PGlite;
  if (options.dataDir === 'memory') {
    db = await PGlite.create();
  } else {
    fs.mkdirSync(path.dirname(options.dataDir), { recursive: true });
    db = await PGlite.create(options.dataDir);
  }
  const server = new PGLiteSocketServer({ db, host, port: options.port, maxConnections: SERVER_SOCKET_LIMIT });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw new Error(`Embedded PostgreSQL could not listen on ${host}:${options.port}: ${(error as Error).message}`);
  }
  const actualPort = Number(server.getServerConn().split(':').pop());
  return {
    url: `postgresql://postgres:postgres@${host}:${actualPort}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
