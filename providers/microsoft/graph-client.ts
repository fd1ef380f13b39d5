/**
 * The unmodified Microsoft Graph client with our own middleware chain:
 *
 *   AuthenticationHandler → HttpsHandler
 *
 * - No RetryHandler (nor MiddlewareFactory's default chain): Temporal's activity retries are the one
 *   retry policy of record. The RetryHandler would multiply them, ignore our backoff, and replay
 *   POST/PATCH on 429/503/504 (ARCHITECTURE "Protocol notes").
 * - HttpsHandler replaces HTTPMessageHandler: that one calls the global fetch (undici in Node 20),
 *   which cannot trust an extra CA per request without the `undici` package (not installed), and the
 *   emulator's CA is generated at run time, after NODE_EXTRA_CA_CERTS would have been read.
 * - `customHosts`: the client attaches the token only to Graph's own hosts and these (hostname only).
 */
import { AuthenticationHandler, Client, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { httpsRequest } from './https';

export const GRAPH_ROOT = 'https://graph.microsoft.com';

/** The chain's last middleware: sends the request with node:https and the extra CA. */
class HttpsHandler implements Middleware {
  constructor(private readonly ca: string | undefined) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : (context.request as Request).url;
    const options = context.options ?? {};
    const headers: Record<string, string> = {};
    new Headers(options.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, key) => (headers[key] = value));
    const raw = await httpsRequest(url, { method: options.method ?? 'GET', headers, body: typeof options.body === 'string' ? options.body : undefined }, this.ca);
    context.response = new Response([204, 205, 304].includes(raw.status) ? null : raw.body, { status: raw.status, headers: raw.headers });
  }
}

export interface GraphClientOptions {
  /** Graph root without the version; Graph's own when absent. */
  baseUrl?: string;
  accessToken: () => Promise<string>;
  /** An extra CA (PEM) to trust: the emulator's. */
  ca?: string;
}

export function createGraphClient(options: GraphClientOptions): Client {
  const baseUrl = (options.baseUrl ?? GRAPH_ROOT).replace(/\/$/, '');
  const host = new URL(baseUrl).hostname;
  const authentication = new AuthenticationHandler({ getAccessToken: options.accessToken });
  authentication.setNext(new HttpsHandler(options.ca));
  return Client.initWithMiddleware({
    middleware: authentication,
    baseUrl,
    defaultVersion: 'v1.0',
    ...(host !== new URL(GRAPH_ROOT).hostname ? { customHosts: new Set([host]) } : {}),
  });
}
