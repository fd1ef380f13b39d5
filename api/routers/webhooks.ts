/**
 * Provider push notifications. A webhook authenticates the notification, wakes the connection's
 * workflow and answers at once: it never syncs inside the request (SPEC §6).
 *
 * - Authentication needs no database: channel tokens / `clientState` are signed by this service and
 *   name their connection (lib/channel-tokens.ts); retired channels are refused from an in-memory
 *   deny list. Only channels made before signed tokens are looked up (one query per request).
 * - Waking is coalesced (connections/notification-coalescer.ts): a flood costs one marker check per
 *   notification and at most one signal per pending sync.
 * - The answer is bounded: a signal that Temporal does not take within `signalDeadlineMs` answers
 *   503, which both providers deliver again (Google retries 500/502/503/504 with exponential backoff,
 *   per its push guide's "Responding to notifications"; Graph retries failed deliveries for up to 4
 *   hours). Refused notifications answer 401 and signal nothing.
 * - A Graph batch is authenticated in one pass with no query per item, and its body is capped at
 *   `GRAPH_BATCH_LIMIT` (Graph documents no batch maximum; a notification is well under 1 KB).
 */
import express, { type ErrorRequestHandler } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/client';
import type { ChannelDenyList } from '../../connections/channel-deny-list';
import type { NotificationCoalescer, NotifyOutcome } from '../../connections/notification-coalescer';
import { ChannelTokens } from '../../lib/channel-tokens';
import { matchesHash } from '../../lib/crypto';
import type { Metrics } from '../../lib/metrics';
import { WEBHOOK_PATHS } from '../../model/webhook-paths';
import type { ApiTemporalClient } from '../temporal-client';
import type { ChangeNotice } from '../../workflows/connection-messages';
import { HttpError, unauthorized } from '../http-errors';
import { errorSchema } from '../responses';
import { ApiRoutes, type ResponseSpec } from '../routes';

export const GRAPH_BATCH_LIMIT = '1mb';

export interface WebhookDependencies {
  db: Database;
  temporal: ApiTemporalClient;
  metrics: Metrics;
  tokens: ChannelTokens;
  denyList: ChannelDenyList;
  coalescer: NotificationCoalescer;
  signalDeadlineMs: number;
}

const graphNotifications = z.object({
  value: z.array(z.object({ subscriptionId: z.string(), clientState: z.string().optional(), lifecycleEvent: z.string().optional() }).passthrough()),
});
/** Graph's subscription handshake: the token to echo. */
const graphQuery = z.object({ validationToken: z.string().optional() });

const refused = (description: string): ResponseSpec => ({ description, schema: errorSchema });
const graphResponses: Record<number, ResponseSpec> = {
  200: { description: 'Validation token echoed', contentType: 'text/plain', schema: z.string() },
  202: { description: 'Accepted' },
  401: refused('No notification was authentic'),
  413: refused('Batch over 1 MB: refused unread'),
  503: refused('Temporal did not take the signal in time: Graph delivers the batch again'),
};

const LIFECYCLE_NOTICES: Record<string, ChangeNotice> = {
  missed: { kind: 'missed' },
  subscriptionRemoved: { kind: 'subscriptionRemoved' },
  reauthorizationRequired: { kind: 'reauthorizationRequired' },
};

type Provider = 'GOOGLE' | 'MICROSOFT';
type Outcome = NotifyOutcome | 'refused' | 'ignored' | 'unavailable' | 'too_large';

const temporalUnavailable = () => new HttpError(503, 'unavailable', 'the notification could not be handed to the sync right now; deliver it again');

export function webhooksRouter(deps: WebhookDependencies): ApiRoutes {
  const { db, temporal, metrics, tokens, denyList, coalescer, signalDeadlineMs } = deps;
  // Authenticated by what the notification carries, and refused with 401 rather than a 400: inputs are read by hand.
  const routes = new ApiRoutes({ tags: ['Webhooks'], security: 'none' });
  const count = (provider: Provider, outcome: Outcome, n = 1) => n > 0 && metrics.webhookNotifications.inc({ provider, outcome }, n);

  /** The connection a signed token names, if the token is ours, was issued for `channelId` (Google) and the channel is live. */
  const verifySigned = (id: string, token: string, channelKeyMustBe?: string) => {
    const identity = tokens.verify(token);
    if (!identity || (channelKeyMustBe !== undefined && identity.channelKey !== channelKeyMustBe) || denyList.has(id)) return undefined;
    return identity.connectionId;
  };

  /** Channels made before signed tokens: their hashed secrets, in one query for the whole request. */
  const verifyLegacy = async (items: { id: string; secret: string }[]): Promise<Map<string, string>> => {
    if (items.length === 0) return new Map();
    const rows = await db.pushChannel.findMany({
      where: { id: { in: [...new Set(items.map((item) => item.id))] }, retiredAt: null },
      select: { id: true, connectionId: true, secretHash: true },
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    const verified = new Map<string, string>();
    for (const { id, secret } of items) {
      const row = byId.get(id);
      if (row?.secretHash && matchesHash(secret, row.secretHash)) verified.set(`${id}\n${secret}`, row.connectionId);
    }
    return verified;
  };

  /** Wakes one connection; lifecycle events are rare and each matters, so they are never coalesced. */
  const wake = async (connectionId: string, notice: ChangeNotice): Promise<NotifyOutcome> => {
    if (notice.kind !== 'changed') return (await temporal.notify(connectionId, { ...notice, notifiedAt: new Date().toISOString() }, signalDeadlineMs)) ? 'signalled' : 'no_workflow';
    return coalescer.notify(connectionId);
  };

  const google = {
    operationId: 'receiveGoogleNotification',
    summary: 'Google Calendar push notification',
    description:
      'Accepted only from a live channel with the token this service signed for it (`X-Goog-Channel-ID`, `X-Goog-Channel-Token`); wakes the connection’s workflow (coalesced) and answers at once.',
    headers: z.object({ 'X-Goog-Channel-ID': z.string().optional(), 'X-Goog-Channel-Token': z.string().optional(), 'X-Goog-Resource-State': z.string().optional() }),
    validate: false,
    responses: {
      200: { description: 'Accepted' },
      401: refused('Unknown, retired or forged channel: nothing is signalled'),
      503: refused('Temporal did not take the signal in time: Google delivers the notification again'),
    },
  };
  routes.post(WEBHOOK_PATHS.google, google, async (_input, req, res) => {
    const channelId = req.header('x-goog-channel-id');
    const token = req.header('x-goog-channel-token');
    let connectionId: string | undefined;
    if (channelId && token) {
      connectionId = ChannelTokens.isSigned(token)
        ? verifySigned(channelId, token, channelId)
        : (await verifyLegacy([{ id: channelId, secret: token }])).get(`${channelId}\n${token}`);
    }
    if (!connectionId) {
      count('GOOGLE', 'refused');
      throw unauthorized('unknown channel or wrong channel token');
    }
    // `sync` only confirms a new channel; every other state means "something changed, go look".
    if (req.header('x-goog-resource-state') === 'sync') {
      count('GOOGLE', 'ignored');
      res.status(200).end();
      return;
    }
    try {
      count('GOOGLE', await wake(connectionId, { kind: 'changed' }));
    } catch {
      count('GOOGLE', 'unavailable');
      throw temporalUnavailable();
    }
    res.status(200).end();
  });

  const microsoft = (lifecycle: boolean) => async (_input: unknown, req: express.Request, res: express.Response) => {
    // Subscription validation handshake: echo the token, as plain text, at once.
    if (typeof req.query.validationToken === 'string') {
      res.status(200).type('text/plain').send(req.query.validationToken);
      return;
    }
    const parsed = graphNotifications.safeParse(req.body);
    if (!parsed.success) {
      count('MICROSOFT', 'refused');
      throw unauthorized('not a Graph change notification');
    }
    const items = parsed.data.value;
    const legacy = await verifyLegacy(
      items.filter((item) => item.clientState !== undefined && !ChannelTokens.isSigned(item.clientState)).map((item) => ({ id: item.subscriptionId, secret: item.clientState! })),
    );
    // One wake-up per connection per batch; a lifecycle event outranks a plain change.
    const woken = new Map<string, { notice: ChangeNotice; items: number }>();
    let refused = 0;
    for (const item of items) {
      const clientState = item.clientState ?? '';
      const connectionId = ChannelTokens.isSigned(clientState) ? verifySigned(item.subscriptionId, clientState) : legacy.get(`${item.subscriptionId}\n${clientState}`);
      const notice = lifecycle ? LIFECYCLE_NOTICES[item.lifecycleEvent ?? ''] : { kind: 'changed' as const };
      if (!connectionId || !notice) {
        refused += 1;
        continue;
      }
      const seen = woken.get(connectionId);
      woken.set(connectionId, { notice: seen && notice.kind === 'changed' ? seen.notice : notice, items: (seen?.items ?? 0) + 1 });
    }
    count('MICROSOFT', 'refused', refused);
    if (woken.size === 0) throw unauthorized('no notification carried a known subscription and its clientState');

    const wakeUps = [...woken];
    const results = await Promise.allSettled(wakeUps.map(([connectionId, { notice }]) => wake(connectionId, notice)));
    let unavailable = false;
    results.forEach((result, i) => {
      const carried = wakeUps[i]![1].items;
      if (result.status === 'rejected') {
        unavailable = true;
        count('MICROSOFT', 'unavailable', carried);
        return;
      }
      count('MICROSOFT', result.value);
      count('MICROSOFT', 'coalesced', carried - 1);
    });
    // Graph delivers a failed batch again; waking the connections that did succeed twice is harmless.
    if (unavailable) throw temporalUnavailable();
    res.status(202).end();
  };

  /** An oversized batch is refused before anything is parsed or looked up, and counted. */
  const tooLarge: ErrorRequestHandler = (error, _req, _res, next) => {
    if (error?.type === 'entity.too.large') {
      count('MICROSOFT', 'too_large');
      next(new HttpError(413, 'payload_too_large', `a notification batch is limited to ${GRAPH_BATCH_LIMIT}`));
      return;
    }
    next(error);
  };
  const graph = { query: graphQuery, body: graphNotifications, before: [express.json({ limit: GRAPH_BATCH_LIMIT })], validate: false, responses: graphResponses };
  routes.post(
    WEBHOOK_PATHS.microsoft,
    {
      ...graph,
      operationId: 'receiveGraphNotifications',
      summary: 'Microsoft Graph change notifications',
      description: 'With `?validationToken=` answers the subscription handshake in plain text. Otherwise each notification must carry a known subscription and its `clientState`.',
    },
    microsoft(false),
  );
  routes.post(
    WEBHOOK_PATHS.microsoftLifecycle,
    { ...graph, operationId: 'receiveGraphLifecycleNotifications', summary: 'Microsoft Graph lifecycle notifications (reauthorizationRequired, missed, subscriptionRemoved)' },
    microsoft(true),
  );
  routes.router.use([WEBHOOK_PATHS.microsoft, WEBHOOK_PATHS.microsoftLifecycle], tooLarge);
  return routes;
}
