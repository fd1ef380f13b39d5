/**
 * The Temporal worker: the connection and scheduling workflows plus their activities, on one task
 * queue. Workers are stateless and scale horizontally.
 */
import { DefaultLogger, Runtime, Worker, type LogLevel, type NativeConnection } from '@temporalio/worker';
import type { WorkflowBundleOption } from '@temporalio/worker';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** A prebuilt bundle (tests build one per run); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  /**
   * Workflows kept in memory between tasks (TEMPORAL_MAX_CACHED_WORKFLOWS), ~130 KB of RSS each; an
   * evicted connection replays its (short, continued-as-new) history when it next wakes, which costs
   * more CPU than the whole change otherwise does.
   */
  maxCachedWorkflows: number;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Evaluated once per worker thread and shared (deep-frozen) by every cached workflow instead of once
 * per workflow in the reusable V8 context: `@temporalio/workflow`'s index and the five modules only it
 * loads, ~13 KB of heap per cached workflow. Safe because they hold no state of their own: each call
 * finds its workflow through the SDK's current activator. Only such stateless modules belong here.
 */
export const PRELOAD_MODULES = ['@temporalio/workflow'];

/**
 * glibc's malloc settings for the worker process, read as it starts, so set by whoever starts it
 * (`npm run worker` and `npm start` in package.json, the devstack). A fixed mmap threshold keeps
 * large short-lived buffers out of the malloc arenas: with glibc's sliding one, the freed buffers stay
 * in the arenas and a cached workflow costs ~320 KB of RSS instead of ~140 KB.
 */
export const WORKER_MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' };

export function createWorker(options: WorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, activities, workflowBundle, maxCachedWorkflows } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    maxCachedWorkflows,
    // A workflow task needs its workflow in the cache: never run more at once than the cache holds.
    maxConcurrentWorkflowTaskExecutions: Math.max(1, Math.min(40, maxCachedWorkflows)),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: PRELOAD_MODULES } }),
  });
}

/**
 * Routes the Temporal SDK's own logs (worker state, bundling) through LOG_LEVEL, and with
 * `sdkMetricsAddress` has the SDK's core serve its worker metrics (task slots, poll and schedule
 * latencies, sticky cache) there in Prometheus' format, for the worker's /metrics to include. Once
 * per process, before the first worker or connection.
 */
export function installTemporalLogging(level: 'debug' | 'info' | 'warn' | 'error' | 'silent', options: { sdkMetricsAddress?: string } = {}): void {
  // The SDK's INFO is worker life-cycle and bundling chatter: shown only when debugging.
  const sdkLevel: LogLevel = level === 'debug' ? 'INFO' : level === 'info' || level === 'warn' ? 'WARN' : 'ERROR';
  Runtime.install({
    logger: new DefaultLogger(sdkLevel),
    ...(options.sdkMetricsAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.sdkMetricsAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } } } }
      : {}),
  });
}
