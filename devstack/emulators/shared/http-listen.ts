/**
 * Starts a node:http server for an emulator and stops it without waiting for idle keep-alive
 * connections (clients such as gaxios keep sockets open, which would hold `close()` for seconds).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  server: http.Server;
  /** `http://host:port`, without a trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listenHttp(handler: http.RequestListener, options: { host?: string; port?: number } = {}): Promise<ListeningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // A wildcard bind is reached through loopback: URLs handed out (redirects, resource URIs) must be dialable.
  const dialable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const urlHost = dialable.includes(':') ? `[${dialable}]` : dialable;
  return {
    server,
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
