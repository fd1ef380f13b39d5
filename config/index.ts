/**
 * All configuration, from environment variables, validated once. Every variable is listed in the
 * README's configuration table; nothing else in the code reads `process.env` for settings.
 */
import path from 'node:path';
import { loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import { z } from 'zod';

// `ms` 3 ships types that nodenext cannot reach from CommonJS (no `types` in its `exports`), so its one
// call is typed here; typing it project-wide would also retype Temporal's `Duration`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ms: (value: string) => number = require('ms');

/** "15m", "24h", "30s", "500ms", "1.5h", "2 days" or a plain number of milliseconds (`ms`'s syntax), never negative. */
export function parseDuration(value: string): number {
  let parsed = Number.NaN;
  try {
    parsed = ms(value.trim());
  } catch {
    // `ms` throws on an empty or over-long string: the same "not a duration" as any other.
  }
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`not a duration: "${value}" (use e.g. 30s, 15m, 24h)`);
  return Math.round(parsed);
}

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      try {
        return parseDuration(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: port(3000),
  WORKER_METRICS_PORT: port(9464),
  PUBLIC_BASE_URL: optionalString,
  DATA_DIR: z.string().default('.data'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),

  DATABASE_URL: optionalString,
  EMBEDDED_POSTGRES_PORT: port(5433),

  // Only checked here: the client settings (address, namespace, API key, TLS) are read as Temporal reads them (temporalClientSettings).
  TEMPORAL_TLS: bool(false),
  TEMPORAL_TASK_QUEUE: z.string().default('calendar-sync'),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_WORKFLOW_BUNDLE: optionalString,
  // Every connection of a worker cached up to 2,000 (~100 MB at ~50 KB each): a change round robin
  // over more connections than the cache holds misses it every time and replays (README "Benchmarks").
  TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).default(2000),
  // Stack traces in workflow code cost ~40 KB per cached workflow (V8 keeps each pending promise's
  // creation stack): off by default, on for the Web UI's "Stack Trace" tab while debugging.
  TEMPORAL_WORKFLOW_STACK_TRACES: bool(false),
  TEMPORAL_DEV_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),

  ENCRYPTION_KEY: optionalString,
  ADMIN_TOKEN: optionalString,

  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  GOOGLE_API_ROOT_URL: optionalString,
  GOOGLE_OAUTH_AUTH_URL: optionalString,
  GOOGLE_OAUTH_TOKEN_URL: optionalString,
  GOOGLE_OAUTH_REVOKE_URL: optionalString,
  MICROSOFT_CLIENT_ID: optionalString,
  MICROSOFT_CLIENT_SECRET: optionalString,
  MICROSOFT_GRAPH_BASE_URL: optionalString,
  MICROSOFT_AUTHORITY: optionalString,
  MICROSOFT_CA_CERT_PATH: optionalString,
  GOOGLE_EMULATOR_PORT: port(4180),
  MICROSOFT_EMULATOR_PORT: port(4443),

  SYNC_POLL_INTERVAL: duration('15m'),
  SYNC_SPACING: duration('1s'),
  RECONCILE_INTERVAL: duration('24h'),
  CHANNEL_TTL: duration('7d'),
  GRAPH_SUBSCRIPTION_TTL: duration('70h'),
  CHANNEL_RENEW_MARGIN: duration('1h'),
  SYNC_HEARTBEAT_TIMEOUT: duration('1m'),
  SYNC_WINDOW_PAST: duration('30d'),
  SYNC_WINDOW_FUTURE: duration('365d'),
  OAUTH_STATE_TTL: duration('10m'),
  WEBHOOK_SIGNAL_TIMEOUT: duration('1500ms'),
  CHANNEL_DENY_LIST_REFRESH: duration('5s'),
  BLOCKED_GUEST_DOMAINS: z.string().default('crm-calendar-sync.com'),

  EVENT_WEBHOOK_DELIVERY: bool(true),
  EVENT_WEBHOOK_DISPATCH_INTERVAL: duration('500ms'),
  EVENT_WEBHOOK_REQUEST_TIMEOUT: duration('15s'),
  EVENT_WEBHOOK_RETRY_INITIAL_INTERVAL: duration('5s'),
  EVENT_WEBHOOK_RETRY_MAX_INTERVAL: duration('1h'),
  EVENT_WEBHOOK_RETRY_FOR: duration('24h'),
  EVENT_WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).default(20),
  EVENT_WEBHOOK_RETENTION: duration('30d'),
});

/** The project's first names for two of Temporal's variables: still read, documented as deprecated. */
const DEPRECATED_TEMPORAL_VARIABLES = { TEMPORAL_TLS_CERT_PATH: 'TEMPORAL_TLS_CLIENT_CERT_PATH', TEMPORAL_TLS_KEY_PATH: 'TEMPORAL_TLS_CLIENT_KEY_PATH' } as const;

/**
 * The Temporal client settings as Temporal's CLI and SDKs read them (@temporalio/envconfig): the
 * profile file (TEMPORAL_CONFIG_FILE, else `~/.config/temporalio/temporal.toml`; profile
 * TEMPORAL_PROFILE, else `default`) under TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS and TEMPORAL_TLS_*. Empty variables count as unset, as every other setting here.
 */
function temporalClientSettings(env: NodeJS.ProcessEnv) {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') vars[name] = value.trim();
  const deprecated: string[] = [];
  for (const [old, current] of Object.entries(DEPRECATED_TEMPORAL_VARIABLES)) {
    if (vars[old] === undefined) continue;
    deprecated.push(`${old} is deprecated: use ${current}`);
    vars[current] ??= vars[old];
  }
  // envconfig takes only `true`/`1`; this setting always took `yes`/`no` too (checked by the schema).
  if (vars.TEMPORAL_TLS !== undefined) vars.TEMPORAL_TLS = String(['true', '1', 'yes'].includes(vars.TEMPORAL_TLS));
  try {
    const profile = loadClientConfigProfile({ overrideEnvVars: vars });
    // TLS as Temporal decides it: on with an API key or any TLS setting, unless TEMPORAL_TLS is false.
    const { tls } = toClientOptions(profile).connectionOptions;
    const settings = { address: profile.address, namespace: profile.namespace ?? 'default', apiKey: profile.apiKey, tls: tls ?? false, metadata: profile.grpcMeta };
    return { settings, deprecated, problems: [] };
  } catch (error) {
    return { settings: undefined, deprecated, problems: [`Temporal client settings (profile file, TEMPORAL_PROFILE, TEMPORAL_TLS_*): ${(error as Error).message}`] };
  }
}

export type Config = ReturnType<typeof loadConfig>;

/** Reads and validates the environment; throws one error naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  const temporal = temporalClientSettings(env);
  if (!parsed.success || !temporal.settings) {
    const problems = [...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)), ...temporal.problems];
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    env: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL,
    dataDir,
    api: {
      host: e.HOST,
      port: e.PORT,
      publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, ''),
      webhookSignalTimeoutMs: e.WEBHOOK_SIGNAL_TIMEOUT,
      channelDenyListRefreshMs: e.CHANNEL_DENY_LIST_REFRESH,
    },
    database: { url: e.DATABASE_URL, embeddedPort: e.EMBEDDED_POSTGRES_PORT },
    workerMetricsPort: e.WORKER_METRICS_PORT,
    temporal: {
      // `address` is undefined when neither the environment nor a profile names a cluster: `npm start` runs a dev server.
      ...temporal.settings,
      /** Deprecated variable names in use, for a warning at start. */
      deprecated: temporal.deprecated,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cliPath: e.TEMPORAL_CLI_PATH,
      workflowBundlePath: e.TEMPORAL_WORKFLOW_BUNDLE,
      maxCachedWorkflows: e.TEMPORAL_MAX_CACHED_WORKFLOWS,
      workflowStackTraces: e.TEMPORAL_WORKFLOW_STACK_TRACES,
      devPort: e.TEMPORAL_DEV_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
    },
    encryptionKey: e.ENCRYPTION_KEY,
    adminToken: e.ADMIN_TOKEN,
    google: {
      clientId: e.GOOGLE_CLIENT_ID,
      clientSecret: e.GOOGLE_CLIENT_SECRET,
      apiRootUrl: e.GOOGLE_API_ROOT_URL,
      authUrl: e.GOOGLE_OAUTH_AUTH_URL,
      tokenUrl: e.GOOGLE_OAUTH_TOKEN_URL,
      revokeUrl: e.GOOGLE_OAUTH_REVOKE_URL,
    },
    microsoft: {
      clientId: e.MICROSOFT_CLIENT_ID,
      clientSecret: e.MICROSOFT_CLIENT_SECRET,
      graphBaseUrl: e.MICROSOFT_GRAPH_BASE_URL,
      authority: e.MICROSOFT_AUTHORITY,
      caCertPath: e.MICROSOFT_CA_CERT_PATH,
    },
    emulators: { googlePort: e.GOOGLE_EMULATOR_PORT, microsoftPort: e.MICROSOFT_EMULATOR_PORT },
    sync: {
      pollIntervalMs: e.SYNC_POLL_INTERVAL,
      syncSpacingMs: e.SYNC_SPACING,
      reconcileIntervalMs: e.RECONCILE_INTERVAL,
      channelTtlMs: e.CHANNEL_TTL,
      graphSubscriptionTtlMs: e.GRAPH_SUBSCRIPTION_TTL,
      channelRenewMarginMs: e.CHANNEL_RENEW_MARGIN,
      heartbeatTimeoutMs: e.SYNC_HEARTBEAT_TIMEOUT,
      windowPastMs: e.SYNC_WINDOW_PAST,
      windowFutureMs: e.SYNC_WINDOW_FUTURE,
      blockedGuestDomains: e.BLOCKED_GUEST_DOMAINS.split(',')
        .map((domain) => domain.trim().toLowerCase())
        .filter(Boolean),
    },
    oauthStateTtlMs: e.OAUTH_STATE_TTL,
    /** Event webhooks to downstream systems (README "Event webhooks"). */
    eventWebhooks: {
      /** This worker dispatches and delivers them (off for a worker pool that only syncs). */
      delivery: e.EVENT_WEBHOOK_DELIVERY,
      dispatchIntervalMs: e.EVENT_WEBHOOK_DISPATCH_INTERVAL,
      requestTimeoutMs: e.EVENT_WEBHOOK_REQUEST_TIMEOUT,
      retryInitialIntervalMs: e.EVENT_WEBHOOK_RETRY_INITIAL_INTERVAL,
      retryMaxIntervalMs: e.EVENT_WEBHOOK_RETRY_MAX_INTERVAL,
      retryForMs: e.EVENT_WEBHOOK_RETRY_FOR,
      concurrency: e.EVENT_WEBHOOK_CONCURRENCY,
      retentionMs: e.EVENT_WEBHOOK_RETENTION,
    },
  };
}
