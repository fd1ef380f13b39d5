/**
 * Shared set-up for the Google emulator contract tests: an emulator, a user connected through the
 * adapter's real OAuth flow, the adapter and a raw googleapis client on the same token, and a local
 * server that records push notifications.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { google, type calendar_v3 } from '../../../providers/google/googleapis';
import { startGoogleEmulator, type GoogleEmulator, type GoogleEmulatorOptions } from '../../../devstack/emulators/google';
import { GoogleAuth, GoogleCalendar } from '../../../providers/google';
import type { StoredCredentials } from '../../../providers/types';

export const CLIENT = { clientId: 'crm-calendar-sync', clientSecret: 'emulator-secret' };
export const REDIRECT_URI = 'http://127.0.0.1:9/oauth/google/callback';

export async function startEmulator(options: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
  return startGoogleEmulator({ ...CLIENT, log: () => undefined, ...options });
}

export function authFor(emulator: GoogleEmulator): GoogleAuth {
  return new GoogleAuth({ ...CLIENT, authUrl: emulator.authUrl, tokenUrl: emulator.tokenUrl, revokeUrl: emulator.revokeUrl });
}

export interface Connected {
  email: string;
  credentials: StoredCredentials;
  /** The adapter, authenticating with the current `credentials.accessToken`. */
  calendar: GoogleCalendar;
  /** The same calendar through raw googleapis (retries off, like the adapter). */
  raw: calendar_v3.Calendar;
  /** Per-call options carrying the bearer token, for `raw`. */
  auth(): { headers: Record<string, string> };
}

/** Creates the user and connects them through consent + code exchange. */
export async function connectUser(emulator: GoogleEmulator, email: string): Promise<Connected> {
  emulator.control.createUser({ email });
  const auth = authFor(emulator);
  const url = await auth.authorizationUrl({ state: 'test-state', redirectUri: REDIRECT_URI, loginHint: email });
  const redirect = new URL(await emulator.control.approveConsent(url, email));
  const { credentials } = await auth.exchangeCode({ code: redirect.searchParams.get('code')!, redirectUri: REDIRECT_URI });
  const connected: Connected = {
    email,
    credentials,
    calendar: new GoogleCalendar({ rootUrl: emulator.rootUrl, accessToken: async () => connected.credentials.accessToken }),
    raw: google.calendar({ version: 'v3', rootUrl: emulator.rootUrl, retry: false }),
    auth: () => ({ headers: { Authorization: `Bearer ${connected.credentials.accessToken}` } }),
  };
  return connected;
}

/** An event body for `userCreateEvent` / `events.insert`, `days` from 2030-01-01 at `hour` UTC. */
export function eventAt(days: number, hour: number, extra: Record<string, unknown> = {}) {
  const start = new Date(Date.UTC(2030, 0, 1 + days, hour));
  return {
    summary: `Event ${days}/${hour}`,
    start: { dateTime: start.toISOString() },
    end: { dateTime: new Date(start.getTime() + 3600_000).toISOString() },
    ...extra,
  };
}

/** Polls until `probe` returns a value that is not undefined/false. */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface Notification {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local webhook endpoint that records every request it gets and answers `statuses` in turn, the last one from then on. */
export async function startReceiver(...statuses: number[]): Promise<{ url: string; received: Notification[]; close(): Promise<void> }> {
  const received: Notification[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(statuses.length > 1 ? statuses.shift()! : (statuses[0] ?? 200)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/google`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The rejection of `promise`, failing when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
