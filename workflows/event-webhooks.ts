/**
 * Event webhook delivery (README "Event webhooks"). The dispatcher is one long-lived workflow whose
 * activity polls the outbox, fans new events out to the endpoints' deliveries and signals each
 * endpoint's workflow. An endpoint's workflow delivers its pending deliveries one at a time in event
 * order (so one meeting's or connection's events arrive in order), retrying a failure with durable,
 * doubling backoff until the delivery's retry period is over. Every HTTP call is an activity on the
 * webhook worker's own task queue, bounded by the request timeout: a slow or dead endpoint holds up
 * only its own deliveries, never a sync.
 */
import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EventWebhookActivities } from '../activities/event-webhooks';
import type { AttemptOutcome, DispatcherInput, EndpointDeliveryInput } from '../model/event-webhook-delivery';
import { deliveriesQueuedSignal } from './event-webhook-messages';

/** Dispatching runs (about a minute each) per workflow run before it continues as new. */
const DISPATCH_RUNS_PER_RUN = 100;
/** Attempts per endpoint workflow run before it continues as new (history stays small). */
const ATTEMPTS_PER_RUN = 200;
const PENDING_BATCH = 50;

export async function eventWebhookDispatcherWorkflow(input: DispatcherInput): Promise<void> {
  const { dispatchEvents } = proxyActivities<EventWebhookActivities>({
    taskQueue: input.activityTaskQueue,
    startToCloseTimeout: '5m',
    heartbeatTimeout: input.heartbeatTimeoutMs,
    // The outbox waits in the database: retried (the database or Temporal down) for as long as it takes.
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  });
  for (let run = 0; run < DISPATCH_RUNS_PER_RUN && !workflowInfo().continueAsNewSuggested; run++) await dispatchEvents();
  await continueAsNew<typeof eventWebhookDispatcherWorkflow>(input);
}

export async function eventWebhookEndpointWorkflow(input: EndpointDeliveryInput): Promise<void> {
  const activities = proxyActivities<EventWebhookActivities>({
    taskQueue: input.activityTaskQueue,
    startToCloseTimeout: input.requestTimeoutMs + 30_000,
    // Retries of the activity itself (its database writes failed); the endpoint's failures are outcomes.
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  });
  let queued = false;
  let retryNow = false;
  setHandler(deliveriesQueuedSignal, (notice) => {
    queued = true;
    if (notice.retryNow) retryNow = true;
  });

  let failures = input.failures ?? 0;
  let attempts = 0;
  for (;;) {
    queued = false;
    const pending = await activities.pendingDeliveries(input.endpointId, PENDING_BATCH);
    if (pending.length === 0) {
      if (await condition(() => queued, input.idleMs)) continue;
      return;
    }
    deliveries: for (const delivery of pending) {
      for (;;) {
        if (retryNow) {
          retryNow = false;
          failures = 0;
        }
        // An endpoint still failing gets no attempt for a delivery whose period is over: a dead
        // endpoint's backlog drains instead of costing a timeout each.
        if (failures > 0 && Date.now() >= Date.parse(delivery.giveUpAt)) {
          if (await activities.giveUpDelivery(delivery.id, delivery.giveUpAt)) break;
          break deliveries;
        }
        const outcome: AttemptOutcome = await activities.attemptDelivery(delivery.id);
        attempts++;
        if (outcome.result === 'paused') break deliveries;
        if (outcome.result === 'delivered') failures = 0;
        if (outcome.result !== 'failed') {
          if (outcome.result === 'gave-up') failures++;
          break;
        }
        failures++;
        // Doubling, with ±10 % jitter (Math.random is replay-safe in workflows) so endpoints that
        // failed together are not all retried in the same second.
        const backoff = Math.min(input.retryInitialIntervalMs * 2 ** Math.min(failures - 1, 30), input.retryMaxIntervalMs) * (0.9 + 0.2 * Math.random());
        const wait = Math.min(Math.max(backoff, outcome.retryAfterMs ?? 0), input.retryMaxIntervalMs, Date.parse(delivery.giveUpAt) - Date.now());
        if (wait > 0) await condition(() => retryNow, Math.ceil(wait));
      }
      if (attempts >= ATTEMPTS_PER_RUN || workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof eventWebhookEndpointWorkflow>({ ...input, failures });
      }
    }
  }
}
