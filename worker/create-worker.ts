/**
 * The Temporal worker: the connection and scheduling workflows plus their activities, on one task
 * queue. Workers are stateless and scale horizontally.
 */
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { WorkflowBundle } from '@temporalio/worker';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** A prebuilt bundle (tests build one per run); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkflowBundle;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

export function createWorker(options: WorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, activities, workflowBundle } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}
