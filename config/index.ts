/**
 * All configuration, from environment variables, validated once. Every variable is listed in the
 * README's configuration table; nothing else in the code reads `process.env` for settings.
 */
import path from 'node:path';
import { z } from 'zod';

/** "15m", "24h", "30s", "500ms" or a plain number of milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: "${value}" (use e.g. 30s, 15m, 24h)`);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'];
  return Math.round(Number(match[1]) * unitMs!);
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

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('calendar-sync'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: bool(false),
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_WORKFLOW_BUNDLE: optionalString,
  TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).default(250),
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
});

export type Config = ReturnType<typeof loadConfig>;

/** Reads and validates the environment; throws one error naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
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
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      apiKey: e.TEMPORAL_API_KEY,
      tls: e.TEMPORAL_TLS || e.TEMPORAL_API_KEY !== undefined,
      tlsCertPath: e.TEMPORAL_TLS_CERT_PATH,
      tlsKeyPath: e.TEMPORAL_TLS_KEY_PATH,
      cliPath: e.TEMPORAL_CLI_PATH,
      workflowBundlePath: e.TEMPORAL_WORKFLOW_BUNDLE,
      maxCachedWorkflows: e.TEMPORAL_MAX_CACHED_WORKFLOWS,
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
  };
}
