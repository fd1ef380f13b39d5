/**
 * The service's HTTP API as the bench and the chaos run call it: JSON in, JSON (or the OAuth
 * callback's HTML page) out, and the calendar connect flow a user's browser goes through.
 */
import type { ProviderName } from '../model/calendar-event';

const CONNECT_TIMEOUT_MS = 120_000;
export interface CallOptions {
  auth?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}

export class ApiClient {
  constructor(private readonly baseUrl: string) {}

  async call(method: string, path: string, options: CallOptions = {}): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...options.auth, ...options.headers, ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // an HTML page (the OAuth callback) stays text
    }
    return { status: response.status, body };
  }

  async expect(status: number, method: string, path: string, options: CallOptions = {}): Promise<any> {
    const response = await this.call(method, path, options);
    if (response.status !== status) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
    return response.body;
  }
}

/** The part of an emulator's control the connect flow needs: the user clicking "Allow". */
export interface ConsentScreen {
  approveConsent(authorizationUrl: string, email: string): Promise<string>;
}

/**
 * Connects (or reconnects) a user's calendar as a browser does: the API's consent URL, "Allow" on the
 * emulator, the redirect to the API's callback; then waits until the connection is ACTIVE and returns its id.
 */
export async function connectCalendar(
  api: ApiClient,
  consent: ConsentScreen,
  user: { userId: string; email: string; auth: Record<string, string>; provider: ProviderName },
): Promise<string> {
  const { authorizationUrl } = await api.expect(200, 'POST', `/v1/users/${user.userId}/calendar-connection/authorize`, { auth: user.auth, body: { provider: user.provider } });
  const redirect = new URL(await consent.approveConsent(authorizationUrl, user.email));
  await api.expect(200, 'GET', `${redirect.pathname}${redirect.search}`);

  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  for (;;) {
    // The status comes from the workflow's query: poll gently, every poll is work for the worker.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const connection = await api.call('GET', `/v1/users/${user.userId}/calendar-connection`, { auth: user.auth });
    if (connection.status === 200 && connection.body.status === 'ACTIVE') return connection.body.id as string;
    if (Date.now() > deadline) throw new Error(`${user.email} not ACTIVE within ${CONNECT_TIMEOUT_MS / 1000} s: ${JSON.stringify(connection.body).slice(0, 300)}`);
  }
}
