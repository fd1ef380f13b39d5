/**
 * The embedded PostgreSQL (PGlite) shared by the bench's separate API and worker processes.
 *
 * devstack/embedded-postgres.ts serves one process: PGlite is a single session, and its socket server
 * interleaves the messages of concurrent clients (a Bind of one between the Parse and Execute of
 * another: "portal does not exist"), which the service avoids with a pool of one. Two processes
 * cannot share one pool, so this server serializes whole exchanges instead: a client's messages up to
 * its Sync (or simple Query) run together, and a client with a transaction open keeps the session
 * until the transaction ends. Slow, but each client sees its own consistent session.
 */
import net from 'node:net';
import { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
/** Messages that end an exchange: the server answers them with ReadyForQuery. */
const EXCHANGE_END = new Set(['S', 'Q']);

export interface SharedEmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startSharedEmbeddedPostgres(): Promise<SharedEmbeddedPostgres> {
  const db = await PGlite.create();
  const sockets = new Set<net.Socket>();
  let owner: net.Socket | undefined;
  let waiting: (() => void)[] = [];

  const acquire = async (client: net.Socket) => {
    while (owner !== undefined && owner !== client) await new Promise<void>((resolve) => waiting.push(resolve));
    owner = client;
  };
  const release = (client: net.Socket) => {
    if (owner !== client) return;
    owner = undefined;
    const wake = waiting;
    waiting = [];
    for (const resolve of wake) resolve();
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let started = false;
    let exchange: Buffer[] = [];
    let queue = Promise.resolve();

    /** A client gone (or failed) in the middle of a transaction must not keep the session. */
    const abandon = async () => {
      if (owner !== socket) return;
      await db.exec('ROLLBACK').catch(() => undefined);
      release(socket);
    };
    const run = (messages: Buffer[]) => {
      queue = queue
        .then(async () => {
          if (socket.destroyed) return;
          await acquire(socket);
          let reply = Buffer.alloc(0);
          for (const message of messages) reply = Buffer.concat([reply, Buffer.from(await db.execProtocolRaw(message))]);
          socket.write(reply);
          // ReadyForQuery ends the reply; its status byte says whether a transaction is still open.
          if (reply.at(-1) !== 'T'.charCodeAt(0) && reply.at(-1) !== 'E'.charCodeAt(0)) release(socket);
        })
        .catch(async () => {
          socket.destroy();
          await abandon();
        });
    };

    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          // Startup-phase messages have no type byte: length, then a code.
          if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return;
          const length = buffer.readInt32BE(0);
          const code = buffer.readInt32BE(4);
          const message = Buffer.from(buffer.subarray(0, length));
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST) socket.write('N');
          else if (code === CANCEL_REQUEST) socket.end();
          else {
            started = true;
            run([message]);
          }
          continue;
        }
        if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
        const length = 1 + buffer.readInt32BE(1);
        const message = Buffer.from(buffer.subarray(0, length));
        buffer = buffer.subarray(length);
        const type = String.fromCharCode(message[0]!);
        if (type === 'X') {
          socket.end();
          return;
        }
        exchange.push(message);
        if (EXCHANGE_END.has(type)) {
          run(exchange);
          exchange = [];
        }
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      queue = queue.then(abandon);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
