/**
 * The Temporal worker: the connection and scheduling workflows plus their activities, on one task
 * queue. Workers are stateless and scale horizontally.
 */
import { DefaultLogger, Runtime, Worker, type LogLevel, type LogMetadata, type NativeConnection } from '@temporalio/worker';
import type { WorkflowBundleOption } from '@temporalio/worker';
import v8 from 'node:v8';
import { isDeliveryTaskQueue } from '../model/event-webhook-delivery';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** A prebuilt bundle (tests build one per run); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  /**
   * Workflows kept in memory between tasks (TEMPORAL_MAX_CACHED_WORKFLOWS), ~50 KB of RSS each; an
   * evicted connection replays its (short, continued-as-new) history when it next wakes, which costs
   * more CPU than the whole change otherwise does.
   */
  maxCachedWorkflows: number;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Evaluated once per worker thread and shared (deep-frozen) by every cached workflow instead of once
 * per workflow in the reusable V8 context: `@temporalio/workflow` with the modules only it loads, and
 * this project's workflows with everything they import (~13 KB and ~25 KB of heap per cached
 * workflow). Safe because they hold no state of their own: the SDK's functions find their workflow
 * through its current activator, and ours keep their state in the workflow function's scope
 * (test/unit/workflow-module-scope.test.ts fails on module-level state).
 */
export const PRELOAD_MODULES = ['@temporalio/workflow', WORKFLOWS_PATH];

/**
 * glibc's malloc settings for the worker process, read as it starts, so set by whoever starts it
 * (`npm run worker` and `npm start` in package.json, the devstack). A fixed mmap threshold keeps
 * large short-lived buffers out of the malloc arenas: with glibc's sliding one, the freed buffers stay
 * in the arenas and a cached workflow costs ~300 KB of RSS instead of ~75 KB. Two arenas instead of
 * glibc's 8 per core: the SDK's Rust threads (tokio) each take an arena of their own, 64 MB of
 * address space apiece, each keeping what was freed in it.
 */
export const WORKER_MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_ARENA_MAX: '2' } as const;

/** The malloc settings for a worker started from `parent`'s environment: what it sets wins, our defaults fill the rest. */
export function workerMallocEnv(parent: NodeJS.ProcessEnv): Record<keyof typeof WORKER_MALLOC_ENV, string> {
  return Object.fromEntries(Object.entries(WORKER_MALLOC_ENV).map(([name, value]) => [name, parent[name] ?? value])) as Record<keyof typeof WORKER_MALLOC_ENV, string>;
}

/** The malloc settings `env` leaves unset (the worker warns of them as it starts). */
export const missingMallocSettings = (env: NodeJS.ProcessEnv) => Object.keys(WORKER_MALLOC_ENV).filter((name) => env[name] === undefined);

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
 * The process-wide Temporal set-up, once per process before the first worker or connection:
 * - the SDK's own logs (worker state, bundling) through LOG_LEVEL;
 * - with `sdkMetricsAddress`, the SDK's core serves its worker metrics (task slots, poll and schedule
 *   latencies, sticky cache) there in Prometheus' format, for the worker's /metrics to include;
 * - with `workflowStackTraces: false`, no stack traces in workflow code (TEMPORAL_WORKFLOW_STACK_TRACES).
 */
/** What the SDK warns as an activity-only worker starts. */
export const NO_WORKFLOWS_WARNING = 'No workflows registered, not polling for workflow tasks';

/**
 * The SDK's logger, less that warning for the event webhooks' worker: activity-only by design, so a
 * warning at every start would only teach an operator to skip warnings. Any other worker without
 * workflows is misconfigured, and still warns.
 */
export class SdkLogger extends DefaultLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (message === NO_WORKFLOWS_WARNING && typeof meta?.taskQueue === 'string' && isDeliveryTaskQueue(meta.taskQueue)) return;
    super.log(level, message, meta);
  }
}

export function installTemporalRuntime(
  level: 'debug' | 'info' | 'warn' | 'error' | 'silent',
  options: { sdkMetricsAddress?: string; workflowStackTraces?: boolean } = {},
): void {
  // The SDK's INFO is worker life-cycle and bundling chatter: shown only when debugging.
  const sdkLevel: LogLevel = level === 'debug' ? 'INFO' : level === 'info' || level === 'warn' ? 'WARN' : 'ERROR';
  Runtime.install({
    logger: new SdkLogger(sdkLevel),
    ...(options.sdkMetricsAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.sdkMetricsAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } } } }
      : {}),
  });
  if (options.workflowStackTraces === false) withoutWorkflowStackTraces();
}

/**
 * V8 records a stack trace for every Error, and the SDK makes one per pending promise (a timer, an
 * activity, a condition) to answer the stack-trace query: ~40 KB of heap per idle cached workflow.
 * Workflow code cannot lower `Error.stackTraceLimit` (the SDK freezes its globals), but V8 reads the
 * flag whenever it creates a context: set here, it holds for the workflow threads the worker starts
 * later, while this thread (activities, API) keeps the limit it started with.
 */
function withoutWorkflowStackTraces(): void {
  v8.setFlagsFromString('--stack-trace-limit=0');
}
