/**
 * The event webhook workflows' vocabulary (workflows/event-webhooks.ts): their ids, inputs, signal
 * and activity results, shared by the workflows, the activities that start and signal them, and the
 * worker that starts the dispatcher.
 */

const ACTIVITY_TASK_QUEUE_SUFFIX = '-event-webhooks';
/** The deliveries' activity-only task queue beside a worker's task queue. */
export const deliveryTaskQueueOf = (taskQueue: string) => `${taskQueue}${ACTIVITY_TASK_QUEUE_SUFFIX}`;
export const isDeliveryTaskQueue = (taskQueue: string) => taskQueue.endsWith(ACTIVITY_TASK_QUEUE_SUFFIX);

/** One dispatcher per task queue: it moves new outbox events to the endpoints' deliveries. */
export const dispatcherWorkflowId = (taskQueue: string) => `event-webhook-dispatcher-${taskQueue}`;
export const endpointWorkflowId = (endpointId: string) => `event-webhook-endpoint-${endpointId}`;

export interface DispatcherInput {
  /** The webhook worker's task queue: a delivery never takes a sync's activity slot. */
  activityTaskQueue: string;
  /** The dispatching activity on a worker that died is taken up elsewhere after this. */
  heartbeatTimeoutMs: number;
}

export interface EndpointDeliveryInput {
  endpointId: string;
  activityTaskQueue: string;
  /** An attempt's own bound (EVENT_WEBHOOK_REQUEST_TIMEOUT); the activity gets a little more. */
  requestTimeoutMs: number;
  /** Backoff between failed attempts: doubling from the first, capped at the second. */
  retryInitialIntervalMs: number;
  retryMaxIntervalMs: number;
  /** With nothing pending for this long the workflow ends; the next delivery starts it again. */
  idleMs: number;
  /** Failed attempts in a row, carried across continue-as-new. */
  failures?: number;
}

/** The signal of new deliveries for an endpoint; `retryNow` (a redelivery, the endpoint enabled) also cuts a backoff short. */
export const DELIVERIES_QUEUED_SIGNAL = 'deliveriesQueued';
export interface DeliveriesQueued {
  retryNow: boolean;
}

export interface PendingDelivery {
  id: string;
  giveUpAt: string;
}

/**
 * One attempt's outcome. `failed`: retry after the backoff (`retryAfterMs`: the endpoint's own
 * Retry-After); `gave-up`: failed with its retry period over, now FAILED; `skipped`: it is no longer
 * pending; `paused`: the endpoint is disabled or gone.
 */
export type AttemptOutcome = { result: 'delivered' | 'gave-up' | 'skipped' | 'paused' } | { result: 'failed'; retryAfterMs?: number };
