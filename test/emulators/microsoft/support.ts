/**
 * Shared set-up for the Microsoft emulator contract tests: the emulator, a user connected through
 * MSAL (the adapter's code flow), the adapter on that token, a raw Graph client for what the adapter
 * does not expose, and a local receiver for notifications.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startMicrosoftEmulator, type MicrosoftEmulator, type MicrosoftEmulatorOptions } from '../../../devstack/emulators/microsoft';
import { MicrosoftAuth, MicrosoftCalendar } from '../../../providers/microsoft';
import { createGraphClient } from '../../../providers/microsoft/graph-client';
import { httpsRequest } from '../../../providers/microsoft/https';
import type { StoredCredentials } from '../../../providers/types';

export const REDIRECT = 'http://127.0.0.1:9/oauth/microsoft/callback';
export const CLIENT = { clientId: 'crm-calendar-sync', clientSecret: 'emulator-secret' };

export const startEmulator = (options: MicrosoftEmulatorOptions = {}) =>
  startMicrosoftEmulator({ port: 0, certDir: '.data/test-run/emulator-ca', log: () => undefined, validationTimeoutMs: 2_000, ...options });

export const authOf = (emulator: MicrosoftEmulator) => new MicrosoftAuth({ ...CLIENT, authority: emulator.authority, ca: emulator.caCertPem });

export interface Mailbox {
  email: string;
  credentials: StoredCredentials;
  calendar: MicrosoftCalendar;
  /** The Graph client itself, on the same token, for raw requests. */
  graph: Client;
}

/** The connect flow as the service runs it: consent URL, "Allow", code exchange. */
export async function signIn(emulator: MicrosoftEmulator, email: string): Promise<Mailbox> {
  emulator.control.createUser({ email });
  const auth = authOf(emulator);
  const consent = await auth.authorizationUrl({ state: 's', redirectUri: REDIRECT, loginHint: email });
  const code = new URL(await emulator.control.approveConsent(consent, email)).searchParams.get('code')!;
  const { credentials } = await auth.exchangeCode({ code, redirectUri: REDIRECT });
  const connection = { baseUrl: emulator.graphBaseUrl, ca: emulator.caCertPem, accessToken: async () => mailbox.credentials.accessToken };
  const mailbox: Mailbox = { email, credentials, calendar: new MicrosoftCalendar({ ...connection, ownerEmail: email }), graph: createGraphClient(connection) };
  return mailbox;
}

/** `days` from 2030-01-01 at `hour` UTC, as Graph writes it. */
export function at(days: number, hour: number) {
  return { dateTime: new Date(Date.UTC(2030, 0, 1 + days, hour)).toISOString().replace('Z', ''), timeZone: 'UTC' };
}

export const WINDOW = { start: '2029-12-01T00:00:00Z', end: '2031-01-01T00:00:00Z' };

/** Reads a whole delta listing: every page's events and the final cursor. */
export async function readAll(calendar: MicrosoftCalendar, request: { cursor?: string; window?: typeof WINDOW }) {
  const events = [];
  let page: string | undefined;
  let pages = 0;
  for (;;) {
    const result = await calendar.listChanges({ ...request, page });
    events.push(...result.events);
    pages += 1;
    if (!result.nextPage) return { events, cursor: result.cursor!, pages };
    page = result.nextPage;
  }
}

/** A GET with the emulator's CA, parsed as JSON. */
export async function getJson(url: string, emulator: MicrosoftEmulator, headers: Record<string, string> = {}) {
  const response = await httpsRequest(url, { method: 'GET', headers }, emulator.caCertPem);
  return { status: response.status, headers: response.headers, body: JSON.parse(response.body || 'null') };
}

export interface Received {
  path: string;
  body: any;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** How validation requests are answered: echo the token (a good webhook), answer wrong, or never. */
  validation: 'echo' | 'wrong' | 'hang';
  /** Per path, the statuses the next notifications there are answered with, in turn (then 202). */
  answers: Map<string, number[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver = { received: [] as Received[], validation: 'echo', answers: new Map() } as Receiver;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const token = url.searchParams.get('validationToken');
    if (token !== null) {
      if (receiver.validation === 'hang') return; // the emulator's timeout ends it
      res.writeHead(200, { 'content-type': 'text/plain' }).end(receiver.validation === 'echo' ? token : 'nope');
      return;
    }
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => {
      receiver.received.push({ path: url.pathname, body: JSON.parse(data || '{}'), at: Date.now() });
      res.writeHead(receiver.answers.get(url.pathname)?.shift() ?? 202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

/** Polls until `probe` holds (no guessed sleeps). */
export async function until(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** An emulator and a signed-in mailbox for one test file, stopped after it. */
export function useMailbox(email: string, options: MicrosoftEmulatorOptions = {}): { readonly emulator: MicrosoftEmulator; readonly mailbox: Mailbox } {
  const context = {} as { emulator: MicrosoftEmulator; mailbox: Mailbox };
  beforeAll(async () => {
    context.emulator = await startEmulator(options);
    context.mailbox = await signIn(context.emulator, email);
  });
  afterAll(() => context.emulator.stop());
  return context;
}
