/**
 * End-to-end harness: the real service (worker + API over HTTP) on the run's Temporal dev server and
 * database, talking to both emulators, with durations shrunk so push, poll, renewal and
 * reconciliation all happen within a test. One harness per test file; its own task queue and
 * emulators keep files apart, its own accounts keep tests apart.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../../config';
import type { Database } from '../../db/client';
import { startGoogleEmulator, type GoogleEmulator } from '../../devstack/emulators/google';
import { generateKey, SecretBox } from '../../lib/crypto';
import { createLogger } from '../../lib/logger';
import { freePort } from '../../lib/free-port';
import { createMetrics } from '../../lib/metrics';
import { createProviderRegistry } from '../../providers/create-registry';
import type { ProviderName } from '../../model/calendar-event';
import { startMicrosoftEmulator, type MicrosoftEmulator } from '../../devstack/emulators/microsoft';
import { googleEmulatorSettings, microsoftEmulatorSettings } from '../../devstack/start-emulators';
import { startApi, startWorker, type RunningApi, type RunningWorker, type ServiceDependencies } from '../../service/start-service';
import type { ApiTemporalClient } from '../../api/temporal-client';
import { createTestAccount } from './fixtures';
import { quietTemporalLogs } from './quiet-temporal';
import { temporalAddress, testDatabase, workflowBundlePath } from './services';

/** Durations small enough for tests; override per file through `env`. */
const FAST_ENV = {
  SYNC_POLL_INTERVAL: '30s',
  RECONCILE_INTERVAL: '1h',
  CHANNEL_TTL: '1h',
  CHANNEL_RENEW_MARGIN: '5m',
  SYNC_HEARTBEAT_TIMEOUT: '5s',
  OAUTH_STATE_TTL: '2m',
  CHANNEL_DENY_LIST_REFRESH: '200ms',
  SYNC_SPACING: '200ms',
};

export interface TestAccount {
  accountId: string;
  auth: { Authorization: string };
}

export class SyncHarness {
  private worker?: RunningWorker;

  private constructor(
    readonly config: Config,
    readonly deps: ServiceDependencies,
    readonly api: RunningApi,
    readonly google: GoogleEmulator,
    readonly microsoft: MicrosoftEmulator,
    /** The API's own Temporal client. */
    readonly workflows: ApiTemporalClient,
  ) {}

  /** `options.db`: the service's database client (e.g. one behind a TcpProxy); the run's database otherwise. */
  static async start(env: Record<string, string> = {}, options: { db?: Database } = {}): Promise<SyncHarness> {
    quietTemporalLogs();
    const [google, microsoft] = await Promise.all([
      startGoogleEmulator({ port: 0, clientId: 'crm-calendar-sync', clientSecret: 'emulator-secret', log: () => undefined }),
      startMicrosoftEmulator({ port: 0, certDir: '.data/test-run/emulator-ca', log: () => undefined }),
    ]);
    const db = options.db ?? testDatabase(10);
    const encryptionKey = generateKey();
    // The API's port is in its public URL, so it is chosen ahead; a parallel test file (or a dev
    // server opening ports of its own) may take it in between: then another one.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const config = loadConfig({
        ...FAST_ENV,
        ...env,
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        TEMPORAL_TASK_QUEUE: `e2e-${randomUUID()}`,
        ENCRYPTION_KEY: encryptionKey,
        DATA_DIR: '.data/test-run',
      });
      const deps: ServiceDependencies = {
        config,
        db,
        secrets: new SecretBox(encryptionKey),
        logger: createLogger('silent'),
        temporal: { address: temporalAddress(), namespace: 'default', tls: false },
        providers: createProviderRegistry({ google: googleEmulatorSettings(google), microsoft: microsoftEmulatorSettings(microsoft) }),
        metrics: createMetrics(),
      };
      let api: RunningApi;
      try {
        api = await startApi(deps);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 5) continue;
        throw error;
      }
      return SyncHarness.withWorker(config, deps, api, google, microsoft);
    }
  }

  private static async withWorker(config: Config, deps: ServiceDependencies, api: RunningApi, google: GoogleEmulator, microsoft: MicrosoftEmulator): Promise<SyncHarness> {
    const harness = new SyncHarness(config, deps, api, google, microsoft, api.temporal);
    await harness.startWorker();
    return harness;
  }

  get db(): Database {
    return this.deps.db;
  }

  get temporal(): Client {
    return this.api.temporal.client;
  }

  http() {
    return request(this.api.url);
  }

  emulator(provider: ProviderName) {
    return provider === 'GOOGLE' ? this.google.control : this.microsoft.control;
  }

  async startWorker(): Promise<void> {
    this.worker = await startWorker(this.deps, { codePath: workflowBundlePath() });
  }

  async stopWorker(): Promise<void> {
    await this.worker?.stop();
    this.worker = undefined;
  }

  /** One more API process on the same database and secrets, talking to Temporal at `address`, with `overrides` of its settings. */
  async startExtraApi(address = temporalAddress(), overrides: Partial<Pick<Config, 'oauthStateTtlMs'>> = {}): Promise<RunningApi> {
    return startApi({ ...this.deps, config: { ...this.config, ...overrides, api: { ...this.config.api, port: 0 } }, temporal: { ...this.deps.temporal, address } });
  }

  async newAccount(domains: string[] = ['portal.example']): Promise<TestAccount> {
    const { account, auth } = await createTestAccount(this.db, domains);
    return { accountId: account.id, auth };
  }

  /** A CRM user who also exists, with a calendar, in both emulators. */
  async newUser(account: TestAccount, email: string): Promise<{ id: string; email: string }> {
    const response = await this.http().post('/v1/users').set(account.auth).send({ email, name: email.split('@')[0] });
    if (response.status !== 201) throw new Error(`creating user ${email}: ${response.status} ${JSON.stringify(response.body)}`);
    this.google.control.createUser({ email });
    this.microsoft.control.createUser({ email });
    return { id: response.body.id, email };
  }

  async newContact(account: TestAccount, email: string): Promise<string> {
    const response = await this.http().post('/v1/contacts').set(account.auth).send({ email });
    if (response.status !== 201) throw new Error(`creating contact ${email}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id;
  }

  /**
   * The whole connect flow as a browser would do it: the consent URL from the API, "Allow" on the
   * emulator's consent page, the redirect to the service's callback. Returns the callback's response.
   */
  async authorize(account: TestAccount, user: { id: string; email: string }, provider: ProviderName): Promise<request.Response> {
    const started = await this.http().post(`/v1/users/${user.id}/calendar-connection/authorize`).set(account.auth).send({ provider });
    if (started.status !== 200) return started;
    const redirect = await this.emulator(provider).approveConsent(started.body.authorizationUrl, user.email);
    const callback = new URL(redirect);
    return this.http().get(`${callback.pathname}${callback.search}`);
  }

  /** Connects and waits for the initial sync to finish (status ACTIVE). */
  async connect(account: TestAccount, user: { id: string; email: string }, provider: ProviderName): Promise<string> {
    const callback = await this.authorize(account, user, provider);
    if (callback.status !== 200) throw new Error(`connect failed: ${callback.status} ${callback.text}`);
    const connection = await this.waitForConnection(account, user, (c) => c.status === 'ACTIVE');
    return connection.id;
  }

  /**
   * A fresh account with a connected user and one contact. `before` runs in the calendar before
   * connecting (what it returns comes back as `earlier`): it sets up what the initial sync will see.
   */
  async connectedUser<T>(provider: ProviderName, label: string, before?: (userEmail: string, contactEmail: string) => Promise<T>) {
    const account = await this.newAccount(['portal.example']);
    const tag = `${provider.toLowerCase()}-${randomUUID().slice(0, 8)}`;
    const user = await this.newUser(account, `${label}-${tag}@portal.example`);
    const contactEmail = `client-${tag}@customer.example`;
    const contactId = await this.newContact(account, contactEmail);
    const earlier = before ? await before(user.email, contactEmail) : undefined;
    const connectionId = await this.connect(account, user, provider);
    return { account, user, contactEmail, contactId, connectionId, earlier };
  }

  async connection(account: TestAccount, userId: string) {
    const response = await this.http().get(`/v1/users/${userId}/calendar-connection`).set(account.auth);
    return response.status === 200 ? response.body : undefined;
  }

  async waitForConnection(account: TestAccount, user: { id: string }, predicate: (connection: Record<string, any>) => boolean, what = 'connection state') {
    return waitFor(async () => {
      const connection = await this.connection(account, user.id);
      return connection && predicate(connection) ? connection : undefined;
    }, what);
  }

  /** The contact's timeline as the API serves it. */
  async timeline(account: TestAccount, contactId: string): Promise<any[]> {
    const response = await this.http().get(`/v1/contacts/${contactId}/meetings`).set(account.auth);
    if (response.status !== 200) throw new Error(`timeline: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.items;
  }

  async close(): Promise<void> {
    await this.stopWorker();
    await this.api.stop();
    await Promise.all([this.google.stop(), this.microsoft.stop()]);
    await this.db.$disconnect();
  }
}

/** Polls until `probe` returns a value (not undefined/false); fails with `what` after the timeout. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
