/**
 * The benchmark scenarios: the pure rules, a full sync through the real activity code against the
 * Google and Microsoft emulators and a real database, memory while paging a large calendar, and the
 * emulators' own request rates (so that sync numbers measure the service, not the emulator).
 */
import { randomUUID } from 'node:crypto';
import { createDatabase, type Database } from '../../db/client';
import { EMBEDDED_MAX_CONNECTIONS, startEmbeddedPostgres } from '../embedded-postgres';
import { migrate } from '../../db/migrate';
import { startGoogleEmulator } from '../emulators/google';
import { startMicrosoftEmulator } from '../emulators/microsoft';
import { openProviderSession } from '../../activities/provider-session';
import { sealCredentials } from '../../db/credentials';
import { runIncrementalSync } from '../../activities/sync/run-sync';
import { createAccount } from '../../crm/accounts';
import { generateKey, SecretBox } from '../../lib/crypto';
import { createLogger } from '../../lib/logger';
import { createProviderRegistry } from '../../providers/create-registry';
import type { CalendarEvent, ProviderName } from '../../model/calendar-event';
import { googleEmulatorSettings, microsoftEmulatorSettings } from '../start-emulators';
import { decideEventChange } from '../../sync-rules';
import { googleEmulatorRate, microsoftEmulatorRate } from './emulator-throughput';
import { createFreshDatabase } from '../fresh-database';

export interface BenchResult {
  name: string;
  measured: string;
  target: string;
  ok: boolean;
}

const DAY = 86_400_000;
const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);

function syntheticEvent(i: number): CalendarEvent {
  const start = new Date(Date.now() + (1 + (i % 300)) * DAY);
  return {
    id: `evt${i}`,
    iCalUID: `evt${i}@bench`,
    kind: 'single',
    status: 'confirmed',
    title: `Meeting ${i}`,
    start: { dateTime: start.toISOString() },
    end: { dateTime: new Date(start.getTime() + 3_600_000).toISOString() },
    visibility: 'default',
    eventType: 'default',
    organizer: { email: 'owner@portal.example', self: true },
    guests: [
      { email: 'owner@portal.example', response: 'accepted', kind: 'person', organizer: true, self: true },
      { email: `Client${i % 50}@customer.example `, response: 'none', kind: 'person', organizer: false, self: false },
      { email: 'colleague@portal.example', response: 'accepted', kind: 'person', organizer: false, self: false },
    ],
    updatedAt: new Date().toISOString(),
  };
}

function benchRules(): BenchResult {
  const events = Array.from({ length: 50_000 }, (_, i) => syntheticEvent(i));
  const contactsByEmail = new Map(Array.from({ length: 50 }, (_, i) => [`client${i}@customer.example`, randomUUID()]));
  const input = {
    account: { domains: ['portal.example'], userEmails: ['owner@portal.example'], blockedDomains: ['crm-calendar-sync.com'] },
    connection: { id: 'c', userEmail: 'owner@portal.example' },
    baselineEventIds: new Set<string>(),
    contactsByEmail,
  };
  const started = performance.now();
  for (const event of events) decideEventChange({ ...input, event });
  const perSecond = rate(events.length, performance.now() - started);
  return { name: 'sync rules (decisions/s)', measured: `${perSecond}`, target: '>= 100000', ok: perSecond >= 100_000 };
}

async function openBenchDatabase(): Promise<{ db: Database; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const fresh = await createFreshDatabase(process.env.DATABASE_URL, 'crm_bench_micro');
    await migrate(fresh.url).catch(async (error) => {
      await fresh.drop();
      throw error;
    });
    const db = createDatabase({ url: fresh.url });
    return {
      db,
      async stop() {
        await db.$disconnect();
        await fresh.drop();
      },
    };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: 'memory', port: 0 });
  await migrate(embedded.url);
  const db = createDatabase({ url: embedded.url, maxConnections: EMBEDDED_MAX_CONNECTIONS });
  return {
    db,
    async stop() {
      await db.$disconnect();
      await embedded.stop();
    },
  };
}

/**
 * A calendar of `count` events (every one with a contact guest) read by a full resync through the
 * real activity code: provider adapter → rules → store. Reports events/s and the heap growth.
 */
async function benchSync(db: Database, provider: ProviderName, count: number): Promise<BenchResult[]> {
  const secrets = new SecretBox(generateKey());
  const google = provider === 'GOOGLE' ? await startGoogleEmulator({ port: 0 }) : undefined;
  const microsoft = provider === 'MICROSOFT' ? await startMicrosoftEmulator({ port: 0, certDir: '.data/bench/emulator-ca' }) : undefined;
  try {
    const providers = createProviderRegistry({
      google: google && googleEmulatorSettings(google),
      microsoft: microsoft && microsoftEmulatorSettings(microsoft),
    });
    const control = (google?.control ?? microsoft?.control)!;
    const email = `bench-${randomUUID().slice(0, 8)}@portal.example`;
    control.createUser({ email });

    const { account } = await createAccount(db, { name: 'bench', domains: ['portal.example'] });
    const user = await db.user.create({ data: { accountId: account.id, email, emailKey: email } });
    await db.contact.createMany({ data: Array.from({ length: 50 }, (_, i) => ({ accountId: account.id, email: `client${i}@customer.example`, emailKey: `client${i}@customer.example` })) });
    for (let i = 0; i < count; i++) {
      const start = new Date(Date.now() + (1 + (i % 300)) * DAY);
      await seedEvent(google ? 'GOOGLE' : 'MICROSOFT', control, email, i, start);
    }

    const auth = providers.auth(provider);
    const consentUrl = await auth.authorizationUrl({ state: 'bench', redirectUri: 'http://127.0.0.1:9/callback' });
    const redirect = new URL(await control.approveConsent(consentUrl, email));
    const { credentials } = await auth.exchangeCode({ code: redirect.searchParams.get('code')!, redirectUri: 'http://127.0.0.1:9/callback' });
    const connection = await db.calendarConnection.create({
      data: { accountId: account.id, userId: user.id, provider, providerEmail: email, status: 'ACTIVE', connectedAt: new Date(), initialSyncAt: new Date() },
    });
    await db.calendarConnection.update({ where: { id: connection.id }, data: { encryptedCredentials: sealCredentials(secrets, connection.id, credentials) } });

    const session = await openProviderSession({ db, secrets, providers }, connection.id);
    const deps = { db, logger: createLogger('silent') };
    const settings = { windowPastMs: 30 * DAY, windowFutureMs: 365 * DAY, blockedGuestDomains: [] };
    // Retained memory, not garbage: collect before each sample (the bench runs with --expose-gc).
    const retained = () => {
      global.gc?.();
      return process.memoryUsage().heapUsed;
    };
    const heapBefore = retained();
    let heapPeak = heapBefore;
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, retained())), 1000);
    const started = performance.now();
    const outcome = await runIncrementalSync(deps, session, settings, { fullResync: true });
    const elapsed = performance.now() - started;
    clearInterval(sampler);
    const meetings = await db.meeting.count({ where: { accountId: account.id } });
    if (meetings !== count) throw new Error(`${provider} sync imported ${meetings} meetings, expected ${count} (tally ${JSON.stringify(outcome.tally)})`);

    const perSecond = rate(count, elapsed);
    const growthMb = Math.round((heapPeak - heapBefore) / 1_048_576);
    return [
      { name: `${provider.toLowerCase()} full sync of ${count} events (events/s)`, measured: `${perSecond}`, target: '>= 150', ok: perSecond >= 150 },
      { name: `${provider.toLowerCase()} full sync heap growth (MB)`, measured: `${growthMb}`, target: '<= 64', ok: growthMb <= 64 },
    ];
  } finally {
    await google?.stop();
    await microsoft?.stop();
  }
}

async function seedEvent(provider: ProviderName, control: any, email: string, i: number, start: Date): Promise<void> {
  const end = new Date(start.getTime() + 3_600_000);
  const guest = `client${i % 50}@customer.example`;
  if (provider === 'GOOGLE') {
    await control.userCreateEvent(email, { summary: `Meeting ${i}`, start: { dateTime: start.toISOString() }, end: { dateTime: end.toISOString() }, attendees: [{ email: guest }] });
  } else {
    await control.userCreateEvent(email, {
      subject: `Meeting ${i}`,
      start: { dateTime: start.toISOString().replace('Z', ''), timeZone: 'UTC' },
      end: { dateTime: end.toISOString().replace('Z', ''), timeZone: 'UTC' },
      attendees: [{ type: 'required', emailAddress: { address: guest } }],
    });
  }
}

export async function runBenchmarks(): Promise<BenchResult[]> {
  const results: BenchResult[] = [benchRules()];
  for (const [name, measure] of [['google emulator (req/s)', googleEmulatorRate], ['microsoft emulator, HTTPS (req/s)', microsoftEmulatorRate]] as const) {
    const perSecond = await measure();
    results.push({ name, measured: `${perSecond}`, target: '>= 2000', ok: perSecond >= 2000 });
  }
  const { db, stop } = await openBenchDatabase();
  try {
    const count = Number(process.env.BENCH_EVENTS ?? 2000);
    results.push(...(await benchSync(db, 'GOOGLE', count)));
    results.push(...(await benchSync(db, 'MICROSOFT', count)));
  } finally {
    await stop();
  }
  return results;
}
