/**
 * The HTTP API: thin by design. It validates, writes CRM records, and starts or signals workflows;
 * it never syncs inside a request.
 */
import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client';
import type { ChannelDenyList } from '../connections/channel-deny-list';
import type { ConnectDependencies } from '../connections/connect';
import { registerConnectionGauges } from '../connections/connection-metrics';
import { NotificationCoalescer } from '../connections/notification-coalescer';
import { syncRequestMarker } from '../connections/sync-request-marker';
import type { WorkflowControl } from '../connections/workflow-control';
import { ChannelTokens } from '../lib/channel-tokens';
import type { SecretBox } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import type { ProviderRegistry } from '../providers/registry';
import { errorHandler, notFoundRoute } from './http-errors';
import { openApiDocument } from './openapi';
import { authenticate } from './middleware/authenticate';
import { accountRouter } from './routers/account';
import { calendarConnectionRouter } from './routers/calendar-connection';
import { calendarConnectionsRouter } from './routers/calendar-connections';
import { meetingsRouter } from './routers/meetings';
import { oauthCallbackRouter } from './routers/oauth-callback';
import { outOfOfficeRouter } from './routers/out-of-office';
import { timelineRouter } from './routers/timeline';
import { webhooksRouter } from './routers/webhooks';
import { companiesRouter } from './routers/companies';
import { contactsRouter } from './routers/contacts';
import { dealsRouter } from './routers/deals';
import { healthRouter } from './routers/health';
import { ticketsRouter } from './routers/tickets';
import { usersRouter } from './routers/users';

export interface ApiDependencies {
  db: Database;
  temporal: Client;
  workflows: WorkflowControl;
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
}

/** Without a database, signals for one connection are spaced this far apart (see the coalescer). */
const FALLBACK_SIGNAL_SPACING_MS = 500;
/** A marker claim slower than this counts as "no database": the webhook signals without it. */
const MARKER_CLAIM_TIMEOUT_MS = 300;

export function createApp(deps: ApiDependencies): Express {
  const { db, temporal, workflows, logger, metrics } = deps;
  const connect: ConnectDependencies = {
    db,
    secrets: deps.secrets,
    providers: deps.providers,
    workflows,
    publicBaseUrl: deps.publicBaseUrl,
    stateTtlMs: deps.oauthStateTtlMs,
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);

  app.use((req, res, next) => {
    const end = metrics.httpRequests.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched', status: res.statusCode }));
    next();
  });

  app.use(healthRouter(db, temporal, logger));
  const signalDeadlineMs = deps.webhookSignalTimeoutMs;
  const marker = syncRequestMarker(db);
  const coalescer = new NotificationCoalescer(
    { ...marker, signal: (connectionId) => workflows.notify(connectionId, { kind: 'changed' }, signalDeadlineMs) },
    { claimTimeoutMs: MARKER_CLAIM_TIMEOUT_MS, fallbackSpacingMs: FALLBACK_SIGNAL_SPACING_MS },
  );
  app.use(webhooksRouter({ db, workflows, metrics, tokens: new ChannelTokens(deps.secrets), denyList: deps.channelDenyList, coalescer, signalDeadlineMs }));
  app.use(oauthCallbackRouter(connect));
  const openApi = openApiDocument(deps.publicBaseUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  registerConnectionGauges(metrics.registry, db, logger);
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const v1 = express.Router();
  v1.use(express.json({ limit: '1mb' }));
  v1.use(authenticate(db));
  v1.use('/account', accountRouter(db));
  v1.use('/calendar-connections', calendarConnectionsRouter(db));
  v1.use('/users/:userId/calendar-connection', calendarConnectionRouter(connect));
  v1.use('/users/:userId/out-of-office', outOfOfficeRouter(db, workflows));
  v1.use('/users', usersRouter(db));
  v1.use('/contacts/:contactId/meetings', timelineRouter(db));
  v1.use('/contacts', contactsRouter(db));
  v1.use('/meetings', meetingsRouter(db, workflows));
  v1.use('/companies', companiesRouter(db));
  v1.use('/deals', dealsRouter(db));
  v1.use('/tickets', ticketsRouter(db));
  app.use('/v1', v1);

  app.use(notFoundRoute);
  app.use(errorHandler(logger));
  return app;
}
