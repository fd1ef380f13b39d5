/**
 * The HTTP API: thin by design. It validates, writes CRM records, and starts or signals workflows;
 * it never syncs inside a request.
 */
import express, { type Express } from 'express';
import { z } from 'zod';
import type { Database } from '../db/client';
import type { ChannelDenyList } from '../connections/channel-deny-list';
import type { ConnectDependencies } from '../connections/connect';
import { registerConnectionGauges } from '../connections/connection-metrics';
import { NotificationCoalescer } from '../connections/notification-coalescer';
import { syncRequestMarker } from '../connections/sync-request-marker';
import { ChannelTokens } from '../lib/channel-tokens';
import type { SecretBox } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import type { ProviderRegistry } from '../providers/registry';
import type { ApiTemporalClient } from './temporal-client';
import { errorHandler, unmatchedRoute } from './http-errors';
import { openApiDocument } from './openapi';
import { authenticate } from './middleware/authenticate';
import { ApiRegistry, ApiRoutes } from './routes';
import { accountRouter } from './routers/account';
import { adminRouter } from './routers/admin';
import { calendarConnectionRouter } from './routers/calendar-connection';
import { calendarConnectionsRouter } from './routers/calendar-connections';
import { meetingsRouter } from './routers/meetings';
import { oauthCallbackRouter } from './routers/oauth-callback';
import { outOfOfficeRouter } from './routers/out-of-office';
import { timelineRouter } from './routers/timeline';
import { webhooksRouter } from './routers/webhooks';
import { companiesRouter, companyTimelineRouter } from './routers/companies';
import { contactsRouter } from './routers/contacts';
import { dealsRouter, ticketsRouter } from './routers/deals-and-tickets';
import { exclusionsRouter } from './routers/exclusions';
import { healthRouter } from './routers/health';
import { usersRouter } from './routers/users';
import { webhookEndpointsRouter } from './routers/webhook-endpoints';
import type { EndpointPolicy } from '../event-webhooks/endpoints';

export interface ApiDependencies {
  db: Database;
  temporal: ApiTemporalClient;
  providers: ProviderRegistry;
  secrets: SecretBox;
  logger: Logger;
  metrics: Metrics;
  publicBaseUrl: string;
  oauthStateTtlMs: number;
  /** Retired push channels, refused by the webhooks (started and stopped by the caller). */
  channelDenyList: ChannelDenyList;
  /** How long a webhook waits for Temporal to take its signal before answering 503. */
  webhookSignalTimeoutMs: number;
  /** The operators' token for /admin; without one the admin API is off. */
  adminToken?: string;
  /** Event webhook endpoints: URL policy and redelivery period (default: not production, a day). */
  eventWebhooks?: EndpointPolicy;
}

/** Without a database, signals for one connection are spaced this far apart (see the coalescer). */
const FALLBACK_SIGNAL_SPACING_MS = 500;
/** A marker claim slower than this counts as "no database": the webhook signals without it. */
const MARKER_CLAIM_TIMEOUT_MS = 300;

/**
 * Remembers the pattern a router is mounted at (`/v1/users/:userId/out-of-office`): `req.baseUrl`
 * holds the ids themselves, and a metric labelled with them would grow with every user and contact.
 * A request that passes through a mount without matching there is marked again by the next one.
 */
const markMount =
  (pattern: string): express.RequestHandler =>
  (_req, res, next) => {
    res.locals.mountPattern = pattern;
    next();
  };

/** The route template that answered (`/v1/contacts/:id`), or `unmatched`: a bounded label. */
function routeTemplate(req: express.Request, res: express.Response): string {
  if (!req.route?.path) return 'unmatched';
  const base = typeof res.locals.mountPattern === 'string' ? res.locals.mountPattern : '';
  const path = `${base}${req.route.path}`;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

export function createApp(deps: ApiDependencies): Express {
  const { db, temporal, logger, metrics } = deps;
  const connect: ConnectDependencies = {
    db,
    secrets: deps.secrets,
    providers: deps.providers,
    temporal,
    publicBaseUrl: deps.publicBaseUrl,
    stateTtlMs: deps.oauthStateTtlMs,
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);

  app.use((req, res, next) => {
    const end = metrics.httpRequests.startTimer({ method: req.method });
    res.on('finish', () => end({ route: routeTemplate(req, res), status: res.statusCode }));
    next();
  });

  // Every router registers its operations: the OpenAPI document is built from them.
  const registry = new ApiRegistry();
  const use = (routes: ApiRoutes) => {
    registry.add('', routes);
    app.use(routes.router);
  };

  use(healthRouter(db, temporal, logger));
  const signalDeadlineMs = deps.webhookSignalTimeoutMs;
  const marker = syncRequestMarker(db);
  const coalescer = new NotificationCoalescer(
    { ...marker, signal: (connectionId) => temporal.notify(connectionId, { kind: 'changed', notifiedAt: new Date().toISOString() }, signalDeadlineMs) },
    { claimTimeoutMs: MARKER_CLAIM_TIMEOUT_MS, fallbackSpacingMs: FALLBACK_SIGNAL_SPACING_MS },
  );
  use(webhooksRouter({ db, temporal, metrics, tokens: new ChannelTokens(deps.secrets), denyList: deps.channelDenyList, coalescer, signalDeadlineMs }));
  use(oauthCallbackRouter(connect));
  const service = new ApiRoutes({ tags: ['Operations'], security: 'none' });
  // Built once, on first request: by then every router is mounted.
  let openApi: ReturnType<typeof openApiDocument> | undefined;
  service.get('/openapi.json', { operationId: 'getOpenApiDocument', summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } } }, (_input, _req, res) => {
    openApi ??= openApiDocument(registry.operations(), deps.publicBaseUrl);
    res.json(openApi);
  });
  registerConnectionGauges(metrics.registry, db, logger);
  service.get('/metrics', { operationId: 'getMetrics', summary: 'Prometheus metrics', responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain', schema: z.string() } } }, async (_input, _req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  use(service);

  const admin = adminRouter(db, deps.adminToken);
  registry.add('/admin', admin);
  app.use('/admin', admin.router);

  const v1 = express.Router();
  v1.use(express.json({ limit: '1mb' }));
  v1.use(authenticate(db));
  /** A plain Router is served undocumented, which the drift test refuses (test/api/openapi.test.ts). */
  const mount = (path: string, routes: ApiRoutes | express.Router) => {
    if (routes instanceof ApiRoutes) registry.add(`/v1${path}`, routes);
    v1.use(path, markMount(`/v1${path}`), routes instanceof ApiRoutes ? routes.router : routes);
  };
  mount('/account/exclusions', exclusionsRouter(db));
  mount('/account', accountRouter(db));
  mount('/calendar-connections', calendarConnectionsRouter(db));
  mount('/users/:userId/calendar-connection', calendarConnectionRouter(connect));
  mount('/users/:userId/out-of-office', outOfOfficeRouter(db, temporal));
  mount('/users', usersRouter(db));
  mount('/contacts/:contactId/meetings', timelineRouter(db));
  mount('/contacts', contactsRouter(db));
  mount('/meetings', meetingsRouter(db, temporal));
  mount('/companies/:companyId/meetings', companyTimelineRouter(db));
  mount('/companies', companiesRouter(db));
  mount('/deals', dealsRouter(db));
  mount('/tickets', ticketsRouter(db));
  mount('/webhook-endpoints', webhookEndpointsRouter(db, deps.secrets, deps.eventWebhooks ?? { production: false, retryForMs: 86_400_000 }));
  app.use('/v1', v1);

  app.use(unmatchedRoute(app));
  app.use(errorHandler(logger));
  return app;
}
