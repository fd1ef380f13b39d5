/** Graph v1.0 routes: events of the signed-in user's default calendar, delta, and subscriptions. */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { ianaZoneOf } from '../../../lib/time-zones';
import type { FaultPlan } from '../shared/fault-plan';
import { DeltaError, type DeltaService } from './delta';
import type { MicrosoftEndpoint } from './endpoints';
import { renderEvent } from './event-model';
import type { EventService } from './event-service';
import { sendFault, sendGraphError } from './graph-errors';
import type { IdentityService } from './identity';
import type { Mailbox, MailboxStore } from './mailboxes';
import { SubscriptionError, type Subscription, type Subscriptions } from './subscriptions';

export interface GraphParts {
  store: MailboxStore;
  identity: IdentityService;
  events: EventService;
  delta: DeltaService;
  subscriptions: Subscriptions;
  faults: FaultPlan<MicrosoftEndpoint>;
}

type Handler = (request: Request, response: Response, mailbox: Mailbox) => unknown;

const renderSubscription = (s: Subscription) => ({
  id: s.id,
  resource: s.resource,
  changeType: s.changeType,
  clientState: s.clientState ?? null,
  notificationUrl: s.notificationUrl,
  lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
  expirationDateTime: new Date(s.expiresMs).toISOString(),
  applicationId: 'emulator',
  creatorId: s.oid,
  latestSupportedTlsVersion: 'v1_2',
});

/**
 * The zone `Prefer: outlook.timezone` names (Windows or IANA), when it is one this emulator knows;
 * times are otherwise rendered in each event's own zone.
 */
function preferredZone(request: Request): string | undefined {
  const zone = /outlook\.timezone="?([^",]+)"?/i.exec(request.header('prefer') ?? '')?.[1];
  return zone && ianaZoneOf(zone) ? zone : undefined;
}

function preferenceApplied(pageSize: string | undefined, zone: string | undefined): string {
  const applied = pageSize ? [`odata.maxpagesize=${pageSize}`] : [];
  if (zone) applied.push(`outlook.timezone="${zone}"`);
  return applied.join(', ');
}

export function graphRouter(parts: GraphParts): Router {
  const { identity, events, delta, subscriptions, faults, store } = parts;
  const router = express.Router();
  router.use(express.json({ limit: '4mb' }));

  /** Authenticates, counts, applies a scripted fault, then runs the handler. */
  const route = (endpoint: MicrosoftEndpoint, handler: Handler) => async (request: Request, response: Response, next: NextFunction) => {
    const mailbox = identity.mailboxFor(request.header('authorization'));
    if (!mailbox) return sendGraphError(response, 401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
    const fault = faults.call(endpoint);
    if (fault) return sendFault(response, fault);
    try {
      await handler(request, response, mailbox);
    } catch (error) {
      next(error);
    }
  };

  router.get('/v1.0/me/calendarView/delta', route('events.delta', (req, res, mailbox) => {
    const prefer = req.header('prefer') ?? '';
    const pageSize = /odata\.maxpagesize=(\d+)/.exec(prefer)?.[1];
    const query = new URL(req.originalUrl, 'https://graph.local').searchParams;
    const zone = preferredZone(req);
    const body = delta.page(mailbox, query, pageSize ? Number(pageSize) : undefined, zone);
    const applied = preferenceApplied(pageSize, zone);
    if (applied) res.set('Preference-Applied', applied);
    res.json(body);
  }));
  router.post('/v1.0/me/events', route('events.create', (req, res, mailbox) => {
    res.status(201).json(renderEvent(store.view(mailbox, events.create(mailbox, req.body ?? {}, { mail: true }).id)!, mailbox.email, preferredZone(req)));
  }));
  router.get('/v1.0/me/events/:id', route('events.get', (req, res, mailbox) => {
    const view = store.view(mailbox, String(req.params.id));
    if (!view) return sendGraphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    res.json(renderEvent(view, mailbox.email, preferredZone(req)));
  }));
  router.patch('/v1.0/me/events/:id', route('events.patch', (req, res, mailbox) => {
    const id = String(req.params.id);
    events.patch(mailbox, id, req.body ?? {}, { mail: true });
    res.json(renderEvent(store.view(mailbox, id)!, mailbox.email, preferredZone(req)));
  }));
  router.delete('/v1.0/me/events/:id', route('events.delete', (req, res, mailbox) => {
    events.remove(mailbox, String(req.params.id), { mail: true });
    res.status(204).end();
  }));

  router.post('/v1.0/subscriptions', route('subscriptions.create', async (req, res, mailbox) => {
    res.status(201).json(renderSubscription(await subscriptions.create(mailbox, req.body ?? {})));
  }));
  // The emulator serves one app, so "this app's subscriptions for the signed-in user" (the delegated
  // case of Graph's "List subscriptions") are the user's. Graph leaves `clientState` out of a list
  // ("the clientState property value is not returned for security purposes", same page).
  router.get('/v1.0/subscriptions', route('subscriptions.list', (_req, res, mailbox) => {
    res.json({ value: subscriptions.ofMailbox(mailbox).map((s) => ({ ...renderSubscription(s), clientState: null })) });
  }));
  router.get('/v1.0/subscriptions/:id', route('subscriptions.update', (req, res, mailbox) => {
    res.json(renderSubscription(subscriptions.get(mailbox, String(req.params.id))));
  }));
  router.patch('/v1.0/subscriptions/:id', route('subscriptions.update', (req, res, mailbox) => {
    res.json(renderSubscription(subscriptions.update(mailbox, String(req.params.id), req.body ?? {})));
  }));
  router.delete('/v1.0/subscriptions/:id', route('subscriptions.delete', (req, res, mailbox) => {
    subscriptions.remove(mailbox, String(req.params.id));
    res.status(204).end();
  }));

  router.use('/v1.0', (_req: Request, res: Response) => sendGraphError(res, 400, 'BadRequest', 'Resource not found for the segment.'));
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof DeltaError || error instanceof SubscriptionError) return sendGraphError(res, error.status, error.code, error.message);
    const known = error as { status?: number; code?: string; message?: string };
    if (known.status && known.code) return sendGraphError(res, known.status, known.code, known.message ?? '');
    next(error);
  });
  return router;
}
