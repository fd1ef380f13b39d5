/**
 * The HTTP API: thin by design. It validates, writes CRM records, and starts or signals workflows;
 * it never syncs inside a request.
 */
import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { errorHandler, notFoundRoute } from './http-errors';
import { authenticate } from './middleware/authenticate';
import { accountRouter } from './routers/account';
import { companiesRouter } from './routers/companies';
import { contactsRouter } from './routers/contacts';
import { dealsRouter } from './routers/deals';
import { healthRouter } from './routers/health';
import { ticketsRouter } from './routers/tickets';
import { usersRouter } from './routers/users';

export interface ApiDependencies {
  db: Database;
  temporal: Client;
  logger: Logger;
  metrics: Metrics;
}

export function createApp(deps: ApiDependencies): Express {
  const { db, temporal, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);

  app.use((req, res, next) => {
    const end = metrics.httpRequests.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched', status: res.statusCode }));
    next();
  });

  app.use(healthRouter(db, temporal));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const v1 = express.Router();
  v1.use(express.json({ limit: '1mb' }));
  v1.use(authenticate(db));
  v1.use('/account', accountRouter(db));
  v1.use('/users', usersRouter(db));
  v1.use('/contacts', contactsRouter(db));
  v1.use('/companies', companiesRouter(db));
  v1.use('/deals', dealsRouter(db));
  v1.use('/tickets', ticketsRouter(db));
  app.use('/v1', v1);

  app.use(notFoundRoute);
  app.use(errorHandler(logger));
  return app;
}
