/**
 * The webhook half of a worker process: an activity-only worker on its own task queue
 * (`<TEMPORAL_TASK_QUEUE>-event-webhooks`) running the event webhook activities with their own
 * concurrency, so a slow or dead endpoint never takes a sync's activity slot, and the dispatcher
 * workflow, started here idempotently (it lives on, continuing as new; another start finds it).
 * Off with EVENT_WEBHOOK_DELIVERY=false, e.g. for a pool of workers that only sync.
 */
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';
import type { Database } from '../db/client';
import type { SecretBox } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import { createEventWebhookActivities } from '../activities/event-webhooks';
import { connectClient, type TemporalTarget } from './temporal-connection';
import type { eventWebhookDispatcherWorkflow } from '../workflows/event-webhooks';
import { deliveryTaskQueueOf, dispatcherWorkflowId } from '../model/event-webhook-delivery';

export interface EventWebhookWorkerDependencies {
  config: Config;
  db: Database;
  secrets: SecretBox;
  logger: Logger;
  temporal: TemporalTarget;
}

export const eventWebhookTaskQueue = (config: Config) => deliveryTaskQueueOf(config.temporal.taskQueue);

export async function startEventWebhookWorker(deps: EventWebhookWorkerDependencies, connection: NativeConnection): Promise<{ stop(): Promise<void> } | undefined> {
  const { config } = deps;
  if (!config.eventWebhooks.delivery) return undefined;
  const activityTaskQueue = eventWebhookTaskQueue(config);
  const temporal = await connectClient(deps.temporal);
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace: deps.temporal.namespace,
      taskQueue: activityTaskQueue,
      activities: createEventWebhookActivities({ config, db: deps.db, secrets: deps.secrets, logger: deps.logger, temporal, activityTaskQueue }),
      // The dispatcher's activity holds one slot; the rest are attempts in flight.
      maxConcurrentActivityTaskExecutions: config.eventWebhooks.concurrency + 1,
    });
    await temporal.workflow.start<typeof eventWebhookDispatcherWorkflow>('eventWebhookDispatcherWorkflow', {
      workflowId: dispatcherWorkflowId(config.temporal.taskQueue),
      taskQueue: config.temporal.taskQueue,
      args: [{ activityTaskQueue, heartbeatTimeoutMs: config.sync.heartbeatTimeoutMs }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } catch (error) {
    await temporal.connection.close();
    throw error;
  }
  const running = worker.run();
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await temporal.connection.close();
    },
  };
}
