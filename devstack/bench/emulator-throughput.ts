/**
 * The emulators' own request rate with a thin keep-alive client (no googleapis/Graph client work),
 * so sync benchmarks are known to measure the service, not the emulator.
 */
import http from 'node:http';
import https from 'node:https';
import { startGoogleEmulator } from '../emulators/google';
import { startMicrosoftEmulator } from '../emulators/microsoft';
import { inParallel } from '../../lib/in-parallel';
import { GoogleAuth } from '../../providers/google';
import { MicrosoftAuth } from '../../providers/microsoft';
import type { ProviderAuth } from '../../providers/types';

const REQUESTS = 6000;
const CONCURRENCY = 64;
const REDIRECT = 'http://127.0.0.1:9/callback';

async function tokenFor(auth: ProviderAuth, control: { createUser(u: { email: string }): unknown; approveConsent(url: string, email: string): Promise<string> }): Promise<string> {
  control.createUser({ email: 'bench@portal.example' });
  const consent = await auth.authorizationUrl({ state: 'bench', redirectUri: REDIRECT });
  const code = new URL(await control.approveConsent(consent, 'bench@portal.example')).searchParams.get('code')!;
  return (await auth.exchangeCode({ code, redirectUri: REDIRECT })).credentials.accessToken;
}

async function hammer(url: string, token: string, agent: http.Agent): Promise<number> {
  const client = url.startsWith('https:') ? https : http;
  const once = () =>
    new Promise<void>((resolve, reject) => {
      client
        .get(url, { agent, headers: { Authorization: `Bearer ${token}` } }, (response) => {
          response.resume();
          response.on('end', () => (response.statusCode && response.statusCode < 500 ? resolve() : reject(new Error(`status ${response.statusCode}`))));
        })
        .on('error', reject);
    });
  const started = performance.now();
  await inParallel(REQUESTS, CONCURRENCY, once);
  return Math.round((REQUESTS / (performance.now() - started)) * 1000);
}

export async function googleEmulatorRate(): Promise<number> {
  const emulator = await startGoogleEmulator({ port: 0, log: () => undefined });
  try {
    const token = await tokenFor(new GoogleAuth({ clientId: 'bench', clientSecret: 'bench', authUrl: emulator.authUrl, tokenUrl: emulator.tokenUrl }), emulator.control);
    return await hammer(`${emulator.rootUrl}calendar/v3/calendars/primary/events?maxResults=10`, token, new http.Agent({ keepAlive: true }));
  } finally {
    await emulator.stop();
  }
}

export async function microsoftEmulatorRate(): Promise<number> {
  const emulator = await startMicrosoftEmulator({ port: 0, certDir: '.data/bench/emulator-ca', log: () => undefined });
  try {
    const token = await tokenFor(new MicrosoftAuth({ clientId: 'bench', clientSecret: 'bench', authority: emulator.authority, ca: emulator.caCertPem }), emulator.control);
    return await hammer(`${emulator.url}/v1.0/me/events/not-there`, token, new https.Agent({ keepAlive: true, ca: emulator.caCertPem }));
  } finally {
    await emulator.stop();
  }
}
