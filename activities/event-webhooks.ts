/**
 * The event webhook activities, run by the webhook worker on its own task queue (service/
 * event-webhook-worker.ts): dispatching the outbox to deliveries, and one signed POST per attempt.
 * They touch only the outbox, endpoint and delivery tables, never a sync's rows. Every write is keyed
 * (a delivery per endpoint and event; an attempt counts only while the delivery is pending), so a
 * retried activity changes nothing twice; a retried POST is a duplicate delivery, which the receiver
 * recognises by its `webhook-id` (at least once).
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { keyIdOf, signingSecrets } from '../event-webhooks/endpoints';
import { eventBody, eventIdOf } from '../event-webhooks/events';
import { signWebhook } from '../event-webhooks/signing';
import type { SecretBox } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import { DELIVERIES_QUEUED_SIGNAL, endpointWorkflowId, type AttemptOutcome, type DeliveriesQueued, type EndpointDeliveryInput, type PendingDelivery } from '../model/event-webhook-delivery';

export interface EventWebhookActivityDependencies {
  config: Config;
  db: Database;
  secrets: SecretBox;
  logger: Logger;
  /** Starts and signals the endpoints' delivery workflows. */
  temporal: Client;
  /** The webhook worker's task queue, where these activities run. */
  activityTaskQueue: string;
}

/** One dispatching activity polls for about this long, then returns (its workflow runs it again). */
const DISPATCH_RUN_MS = 60_000;
const CLAIM_BATCH = 200;
const PURGE_BATCH = 1000;
/** An endpoint's workflow waits this long for more work before it ends. */
const ENDPOINT_IDLE_MS = 5 * 60_000;
/** What the delivery log keeps of an answer's body. */
const ERROR_BODY_CHARS = 200;
const USER_AGENT = 'crm-calendar-sync-webhooks/1';

interface PostResult {
  statusCode?: number;
  error?: string;
  retryAfterMs?: number;
}

/** `Retry-After` in seconds or as an HTTP date. */
function retryAfterOf(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** One POST, bounded by `timeoutMs` from connect to the last byte read; redirects are not followed. */
async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers }, redirect: 'manual', signal });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel().catch(() => undefined);
      return { statusCode: response.status };
    }
    const text = await response.text().catch(() => '');
    const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed: register the final URL)' : '';
    const snippet = text.trim().slice(0, ERROR_BODY_CHARS);
    return { statusCode: response.status, error: `HTTP ${response.status}${redirect}${snippet ? `: ${snippet}` : ''}`, retryAfterMs: retryAfterOf(response.headers.get('retry-after')) };
  } catch (error) {
    if (signal.aborted) return { error: `no answer within ${timeoutMs / 1000} s` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.message ? `${cause.code ? `${cause.code}: ` : ''}${cause.message}` : String((error as Error).message ?? error) };
  }
}

export function createEventWebhookActivities(deps: EventWebhookActivityDependencies) {
  const { db, config, logger, temporal } = deps;
  const settings = config.eventWebhooks;
  const keyId = keyIdOf(deps.secrets);

  const endpointInput = (endpointId: string): EndpointDeliveryInput => ({
    endpointId,
    activityTaskQueue: deps.activityTaskQueue,
    requestTimeoutMs: settings.requestTimeoutMs,
    retryInitialIntervalMs: settings.retryInitialIntervalMs,
    retryMaxIntervalMs: settings.retryMaxIntervalMs,
    idleMs: ENDPOINT_IDLE_MS,
  });

  /** Wakes (or starts) each endpoint's delivery workflow. */
  const wake = async (endpointIds: string[], retryNow: boolean) => {
    for (const endpointId of endpointIds) {
      await temporal.workflow.signalWithStart<(input: EndpointDeliveryInput) => Promise<void>, [DeliveriesQueued]>('eventWebhookEndpointWorkflow', {
        workflowId: endpointWorkflowId(endpointId),
        taskQueue: config.temporal.taskQueue,
        args: [endpointInput(endpointId)],
        signal: DELIVERIES_QUEUED_SIGNAL,
        signalArgs: [{ retryNow }],
      });
    }
  };

  /**
   * Takes up to CLAIM_BATCH undispatched events of this key and creates, in the same statement, a
   * delivery for every enabled endpoint of the account that wants the type.
   */
  const claim = async () => {
    const [row] = await db.$queryRaw<{ claimed: number; endpoints: string[] }[]>`
      WITH claimed AS (
        UPDATE webhook_events SET dispatched_at = now()
         WHERE id IN (SELECT id FROM webhook_events WHERE key_id = ${keyId} AND dispatched_at IS NULL ORDER BY id LIMIT ${CLAIM_BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING id, account_id, type
      ), queued AS (
        INSERT INTO webhook_deliveries (id, endpoint_id, event_id, give_up_at)
        SELECT gen_random_uuid(), e.id, c.id, now() + ${settings.retryForMs} * interval '1 millisecond'
          FROM claimed c JOIN webhook_endpoints e ON e.account_id = c.account_id AND e.enabled AND c.type = ANY (e.event_types) AND e.key_id = ${keyId}
        ON CONFLICT (endpoint_id, event_id) DO NOTHING
        RETURNING endpoint_id
      )
      SELECT (SELECT count(*)::int FROM claimed) AS claimed, array(SELECT DISTINCT endpoint_id::text FROM queued) AS endpoints`;
    return row ?? { claimed: 0, endpoints: [] };
  };

  /** Redeliveries and endpoints enabled again; a kick is cleared only once its signal went out. */
  const takeKicks = async () => {
    const kicks = await db.webhookEndpoint.findMany({ where: { keyId, kickRequestedAt: { not: null } }, select: { id: true, kickRequestedAt: true }, take: CLAIM_BATCH });
    for (const kick of kicks) {
      await wake([kick.id], true);
      await db.webhookEndpoint.updateMany({ where: { id: kick.id, kickRequestedAt: kick.kickRequestedAt }, data: { kickRequestedAt: null } });
    }
  };

  /**
   * At each dispatching run: wakes every endpoint with pending deliveries (a worker that died between
   * queueing deliveries and signalling leaves them waiting), and drops events past retention.
   */
  const sweep = async () => {
    const pending = await db.$queryRaw<{ id: string }[]>`
      SELECT e.id::text AS id FROM webhook_endpoints e
       WHERE e.key_id = ${keyId} AND e.enabled
         AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'PENDING')`;
    await wake(
      pending.map((row) => row.id),
      false,
    );
    const purged = await db.$executeRaw`
      DELETE FROM webhook_events WHERE id IN (
        SELECT id FROM webhook_events WHERE key_id = ${keyId} AND created_at < now() - ${settings.retentionMs} * interval '1 millisecond' ORDER BY id LIMIT ${PURGE_BATCH})`;
    if (purged > 0) logger.info('event webhooks: events past retention removed', { count: purged });
  };

  return {
    /** Polls the outbox for about a minute, heartbeating; cancelled (worker shutdown) at its next poll. */
    async dispatchEvents(): Promise<void> {
      const context = Context.current();
      const until = Date.now() + DISPATCH_RUN_MS;
      await sweep();
      while (Date.now() < until) {
        context.heartbeat();
        await takeKicks();
        const { claimed, endpoints } = await claim();
        await wake(endpoints, false);
        if (claimed < CLAIM_BATCH) await context.sleep(settings.dispatchIntervalMs);
      }
    },

    /** The endpoint's pending deliveries in event order; none while it is disabled or gone. */
    async pendingDeliveries(endpointId: string, limit: number): Promise<PendingDelivery[]> {
      const rows = await db.webhookDelivery.findMany({
        where: { endpointId, status: 'PENDING', endpoint: { enabled: true } },
        orderBy: { eventId: 'asc' },
        take: limit,
        select: { id: true, giveUpAt: true },
      });
      return rows.map((row) => ({ id: row.id, giveUpAt: row.giveUpAt.toISOString() }));
    },

    /** One signed POST, recorded in the delivery log. */
    async attemptDelivery(deliveryId: string): Promise<AttemptOutcome> {
      const delivery = await db.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { endpoint: true, event: true } });
      if (!delivery || delivery.status !== 'PENDING') return { result: 'skipped' };
      if (!delivery.endpoint.enabled) return { result: 'paused' };
      const { endpoint, event } = delivery;

      let result: PostResult;
      try {
        const body = eventBody(event);
        const headers = signWebhook({ id: eventIdOf(event.id), timestamp: Math.floor(Date.now() / 1000), body }, signingSecrets(deps.secrets, endpoint));
        result = await post(endpoint.url, body, headers, settings.requestTimeoutMs);
      } catch (error) {
        // Not the endpoint's doing (e.g. a secret sealed under another key): logged, and retried like a failure.
        logger.error('event webhook not sent', { deliveryId, error: String((error as Error).message ?? error) });
        result = { error: `not sent: ${(error as Error).message ?? error}` };
      }

      const now = new Date();
      const attempt = { attempts: { increment: 1 }, lastAttemptAt: now, lastStatusCode: result.statusCode ?? null };
      const stillPending = { id: deliveryId, status: 'PENDING' as const };
      if (result.error === undefined) {
        await db.webhookDelivery.updateMany({ where: stillPending, data: { ...attempt, status: 'DELIVERED', deliveredAt: now, lastError: null } });
        return { result: 'delivered' };
      }
      if (result.statusCode === 410) {
        // Standard Webhooks: 410 Gone means the receiver wants no more; the endpoint is disabled.
        await db.$transaction([
          db.webhookDelivery.updateMany({ where: stillPending, data: { ...attempt, status: 'FAILED', lastError: result.error } }),
          db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { enabled: false, disabledReason: 'the endpoint answered 410 Gone' } }),
        ]);
        logger.warn('event webhook endpoint disabled: it answered 410 Gone', { endpointId: endpoint.id });
        return { result: 'paused' };
      }
      const gaveUp = now >= delivery.giveUpAt;
      await db.webhookDelivery.updateMany({ where: stillPending, data: { ...attempt, lastError: result.error.slice(0, 1000), ...(gaveUp ? { status: 'FAILED' } : {}) } });
      return gaveUp ? { result: 'gave-up' } : { result: 'failed', retryAfterMs: result.retryAfterMs };
    },

    /**
     * Its retry period is over while the endpoint kept failing: FAILED without another attempt. False
     * when it was redelivered meanwhile (its `giveUpAt` is not the one the workflow saw).
     */
    async giveUpDelivery(deliveryId: string, giveUpAt: string): Promise<boolean> {
      const count = await db.$executeRaw`
        UPDATE webhook_deliveries
           SET status = 'FAILED', last_error = COALESCE(last_error, 'not attempted: the endpoint kept failing until the retry period was over')
         WHERE id = ${deliveryId}::uuid AND status = 'PENDING' AND give_up_at = ${new Date(giveUpAt)}`;
      return count === 1;
    },
  };
}

export type EventWebhookActivities = ReturnType<typeof createEventWebhookActivities>;
