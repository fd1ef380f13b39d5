/**
 * The service as it is deployed, started and stopped by the end-to-end bench and the chaos run: a
 * Temporal dev server, PostgreSQL (DATABASE_URL, else an embedded one), both provider emulators in
 * this process, and the API and the worker as separate child processes pointed at them. The chaos run
 * also kills and restarts the worker and Temporal, and cuts the services off PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { createDatabase, type Database } from '../db/client';
import { migrate } from '../db/migrate';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server';
import { freePort } from '../lib/free-port';
import { startGoogleEmulator, type GoogleEmulator } from './emulators/google';
import { startMicrosoftEmulator, type MicrosoftEmulator } from './emulators/microsoft';
import { generateKey } from '../lib/crypto';
import { buildWorkflowBundle } from '../service/workflow-bundle';
import { workerMallocEnv } from '../service/create-worker';
import { createFreshDatabase } from './fresh-database';
import { startSharedEmbeddedPostgres } from './shared-embedded-postgres';
import { childrenMatching, processTree } from './processes';
import { TcpProxy } from './tcp-proxy';

const ROOT = path.resolve(__dirname, '..');
export const BENCH_DIR = path.join(ROOT, '.data/bench');
/** With DATABASE_URL, each stack runs on a new database on that server, dropped when it stops. */
const FRESH_DATABASE_PREFIX = 'crm_stack';
/** The emulators' fixed client (devstack/start-emulators.ts): the service must present the same one. */
const EMULATOR_CLIENT = { id: 'crm-calendar-sync', secret: 'emulator-secret' };
const TASK_QUEUE_TYPE_WORKFLOW = 1;

export interface DatabaseInfo {
  url: string;
  /** `server`: a PostgreSQL server whose processes may be on this machine; `embedded`: PGlite in this process. */
  kind: 'server' | 'embedded';
  /** The database name, to find its backends among a local server's processes. */
  name: string;
  /** The host is this machine, so its processes can be measured. */
  local: boolean;
}

export interface ServiceProcess {
  name: 'api' | 'worker';
  pid: number;
  child: ChildProcess;
  logFile: string;
}

export interface StackOptions {
  /** Bundle, logs and Temporal's database live here. */
  dir: string;
  /** The service's settings over the production defaults (e.g. shorter polls). */
  env?: Record<string, string>;
  /** Temporal keeps its state in a file, so that `restartTemporal()` loses nothing. */
  restartableTemporal?: boolean;
  /** The service processes reach PostgreSQL through a proxy the caller can cut (a database server only). */
  databaseProxy?: boolean;
}

export interface Stack {
  database: DatabaseInfo;
  /** Where the service's logs are. */
  logDir: string;
  /** The caller's own client, for creating accounts, probes and checks. */
  db: Database;
  /** One plain connection for the bench's probes (cheap queries; its backend is left out of PostgreSQL's CPU). */
  probe: PgClient;
  probeBackendPid: number;
  /** The `temporal` CLI process and its children; undefined when the server is not a child of ours (the SDK's download). */
  temporalPids(): number[] | undefined;
  google: GoogleEmulator;
  microsoft: MicrosoftEmulator;
  apiUrl: string;
  api: ServiceProcess;
  /** The worker's /metrics (ours and the SDK core's), the same address after `restartWorker()`. */
  workerMetricsUrl: string;
  /** The running worker: a new process after `restartWorker()`. */
  readonly worker: ServiceProcess;
  /** Kills the worker (SIGKILL: no goodbye) or stops it (SIGTERM), then starts a new one and waits until it polls. */
  restartWorker(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Stops the Temporal dev server and starts it again on the same address and state file. */
  restartTemporal(): Promise<void>;
  /** Stands between the service processes and PostgreSQL when `databaseProxy` was asked for. */
  databaseProxy?: TcpProxy;
  stop(): Promise<void>;
}

async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, failFast?: () => string | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fatal = failFast?.();
    if (fatal) throw new Error(`${what}: ${fatal}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function describeDatabase(url: string, kind: DatabaseInfo['kind']): DatabaseInfo {
  const parsed = new URL(url);
  return { url, kind, name: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres', local: ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(parsed.hostname) };
}

function spawnService(name: ServiceProcess['name'], entry: string, env: Record<string, string>, logDir: string): ServiceProcess {
  // Appended: a restarted worker's log follows the killed one's.
  const log = fs.openSync(path.join(logDir, `${name}.log`), 'a');
  const { NODE_OPTIONS: _benchOnly, ...inherited } = process.env; // --expose-gc is the micro-benchmarks' own
  // `--import tsx` keeps the service in this one process: its pid is the one measured.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { cwd: ROOT, env: { ...inherited, ...env }, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return { name, pid: child.pid, child, logFile: path.join(logDir, `${name}.log`) };
}

const exited = (service: ServiceProcess) =>
  service.child.exitCode !== null || service.child.signalCode !== null ? `${service.name} exited (see ${service.logFile})` : undefined;

function stopService(service: ServiceProcess): Promise<void> {
  if (exited(service)) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => service.child.kill('SIGKILL'), 5000);
    service.child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    service.child.kill('SIGTERM');
  });
}

/** Runs the cleanups in reverse order of start, each whatever the others do. */
class Cleanup {
  private readonly steps: (() => Promise<unknown>)[] = [];
  /** Synchronous kills for when this process exits without running the steps (Ctrl-C, crash). */
  private readonly pids = new Set<number>();

  constructor() {
    // A signal would end this process without its 'exit' handlers: turn it into an exit.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
    process.once('exit', () => {
      for (const pid of this.pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }

  add(step: () => Promise<unknown>, ...pids: number[]): void {
    this.steps.push(step);
    for (const pid of pids) this.pids.add(pid);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step().catch((error) => process.stderr.write(`bench cleanup: ${(error as Error).message}\n`));
    this.pids.clear();
  }
}

/** The CLI process of the dev server listening on `address`; undefined when the SDK's download runs it. */
function temporalCliPid(address: string): number | undefined {
  const port = address.split(':').pop()!;
  return childrenMatching(process.pid, new RegExp(`start-dev .*--port ${port}\\b`))[0];
}

/** Until this worker process polls: Temporal lists a killed worker's pollers for a while, so by identity (the SDK's default is `pid@host`). */
async function waitForPoller(address: string, taskQueue: string, worker: () => ServiceProcess): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await waitUntil(
      'the worker to poll its task queue',
      60_000,
      async () => {
        const queue = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: TASK_QUEUE_TYPE_WORKFLOW });
        return queue.pollers.some((poller) => poller.identity?.startsWith(`${worker().pid}@`)) ? true : undefined;
      },
      () => exited(worker()),
    );
  } finally {
    await connection.close();
  }
}

export async function startStack(log: (line: string) => void, options: StackOptions = { dir: BENCH_DIR }): Promise<Stack> {
  const cleanup = new Cleanup();
  const logDir = path.join(options.dir, 'logs');
  try {
    fs.rmSync(logDir, { recursive: true, force: true });
    fs.mkdirSync(logDir, { recursive: true });
    const emulatorLog = fs.createWriteStream(path.join(logDir, 'emulators.log'));
    cleanup.add(() => new Promise((resolve) => emulatorLog.end(resolve)));
    const bundlePath = path.join(options.dir, 'workflow-bundle.js');
    const temporalDbFile = options.restartableTemporal ? path.join(options.dir, 'temporal.db') : undefined;
    if (temporalDbFile) fs.rmSync(temporalDbFile, { force: true });

    const started = Date.now();
    const [temporalStart, databaseStart, bundleBuild] = await Promise.allSettled([
      startTemporalDevServer({ port: 0, uiPort: false, dbFile: temporalDbFile, log }),
      process.env.DATABASE_URL
        ? createFreshDatabase(process.env.DATABASE_URL, FRESH_DATABASE_PREFIX).then((fresh) => ({ info: describeDatabase(fresh.url, 'server'), stop: fresh.drop }))
        : startSharedEmbeddedPostgres().then((embedded) => ({ info: describeDatabase(embedded.url, 'embedded'), stop: embedded.stop })),
      buildWorkflowBundle(bundlePath),
    ]);
    // Whatever started is stopped again, also when its neighbour failed.
    let temporal: TemporalDevServer | undefined;
    let cliPid: number | undefined;
    if (temporalStart.status === 'fulfilled') {
      temporal = temporalStart.value;
      cliPid = temporalCliPid(temporal.address);
      // Through `temporal`: a restarted server is the one stopped.
      cleanup.add(() => temporal!.stop(), ...(cliPid ? [cliPid] : []));
    }
    if (databaseStart.status === 'fulfilled') cleanup.add(() => databaseStart.value.stop());
    const failed = [temporalStart, databaseStart, bundleBuild].find((start) => start.status === 'rejected');
    if (failed) throw new Error(`starting Temporal, the database or the workflow bundle: ${(failed.reason as Error).message}`);
    const database = (databaseStart as PromiseFulfilledResult<{ info: DatabaseInfo; stop(): Promise<void> }>).value;
    await migrate(database.info.url);
    log(`temporal, database and workflow bundle ready in ${Math.round((Date.now() - started) / 1000)} s`);

    const db = createDatabase({ url: database.info.url, maxConnections: 4 });
    cleanup.add(() => db.$disconnect());
    const probe = new PgClient({ connectionString: database.info.url, application_name: 'crm-bench-probe' });
    await probe.connect();
    cleanup.add(() => probe.end());
    const probeBackendPid = (await probe.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

    let serviceDatabaseUrl = database.info.url;
    let databaseProxy: TcpProxy | undefined;
    if (options.databaseProxy) {
      if (database.info.kind !== 'server') throw new Error('a database proxy needs a database server (DATABASE_URL)');
      const target = new URL(database.info.url);
      databaseProxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
      cleanup.add(() => databaseProxy!.close());
      target.hostname = '127.0.0.1';
      target.port = String(databaseProxy.port);
      serviceDatabaseUrl = target.toString();
    }

    const emulatorLine = (line: string) => emulatorLog.write(`${new Date().toISOString()} ${line}\n`);
    const [google, microsoft] = await Promise.all([
      startGoogleEmulator({ port: 0, clientId: EMULATOR_CLIENT.id, clientSecret: EMULATOR_CLIENT.secret, log: emulatorLine }),
      startMicrosoftEmulator({ port: 0, certDir: path.join(options.dir, 'emulator-ca'), log: emulatorLine }),
    ]);
    cleanup.add(() => Promise.all([google.stop(), microsoft.stop()]));

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const workerMetricsPort = await freePort();
    const taskQueue = `bench-${randomUUID()}`;
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATA_DIR: options.dir,
      DATABASE_URL: serviceDatabaseUrl,
      TEMPORAL_ADDRESS: temporal!.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_WORKFLOW_BUNDLE: bundlePath,
      ENCRYPTION_KEY: generateKey(),
      WORKER_METRICS_PORT: String(workerMetricsPort),
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      PUBLIC_BASE_URL: apiUrl,
      GOOGLE_CLIENT_ID: EMULATOR_CLIENT.id,
      GOOGLE_CLIENT_SECRET: EMULATOR_CLIENT.secret,
      GOOGLE_API_ROOT_URL: google.rootUrl,
      GOOGLE_OAUTH_AUTH_URL: google.authUrl,
      GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
      GOOGLE_OAUTH_REVOKE_URL: google.revokeUrl,
      MICROSOFT_CLIENT_ID: EMULATOR_CLIENT.id,
      MICROSOFT_CLIENT_SECRET: EMULATOR_CLIENT.secret,
      MICROSOFT_AUTHORITY: microsoft.authority,
      MICROSOFT_GRAPH_BASE_URL: microsoft.graphBaseUrl,
      MICROSOFT_CA_CERT_PATH: microsoft.caCertPath,
      ...options.env,
    };
    const api = spawnService('api', 'service/api-process.ts', env, logDir);
    cleanup.add(() => stopService(api), api.pid);
    // The worker runs with the malloc settings it is deployed with (`npm run worker`), unless this process's environment or `options.env` sets its own.
    const workerEnv = { ...workerMallocEnv(process.env), ...env };
    let worker = spawnService('worker', 'service/worker-process.ts', workerEnv, logDir);
    // Through `worker`: a restarted worker is the one stopped.
    cleanup.add(() => stopService(worker), worker.pid);

    await waitUntil('the API to be ready', 60_000, async () => ((await fetch(`${apiUrl}/readyz`)).ok ? true : undefined), () => exited(api));
    await waitForPoller(temporal!.address, taskQueue, () => worker);
    log(`API (pid ${api.pid}) and worker (pid ${worker.pid}) ready; logs in ${logDir}`);

    return {
      database: database.info,
      logDir,
      db,
      probe,
      probeBackendPid,
      temporalPids: () => (cliPid ? processTree(cliPid) : undefined),
      google,
      microsoft,
      apiUrl,
      api,
      workerMetricsUrl: `http://127.0.0.1:${workerMetricsPort}/metrics`,
      get worker() {
        return worker;
      },
      async restartWorker(signal) {
        if (signal === 'SIGKILL') {
          const gone = new Promise((resolve) => worker.child.once('exit', resolve));
          if (!exited(worker)) worker.child.kill('SIGKILL');
          await gone;
        } else {
          await stopService(worker);
        }
        worker = spawnService('worker', 'service/worker-process.ts', workerEnv, logDir);
        cleanup.add(async () => undefined, worker.pid);
        await waitForPoller(temporal!.address, taskQueue, () => worker);
      },
      async restartTemporal() {
        if (!temporalDbFile) throw new Error('restartTemporal needs the stack started with restartableTemporal');
        const port = Number(temporal!.address.split(':').pop());
        await temporal!.stop();
        temporal = await startTemporalDevServer({ port, uiPort: false, dbFile: temporalDbFile, log });
        cliPid = temporalCliPid(temporal.address);
        if (cliPid) cleanup.add(async () => undefined, cliPid);
      },
      databaseProxy,
      stop: () => cleanup.run(),
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

/** The service processes must outlive every measurement: a crash is reported, not measured. */
export function assertRunning(stack: Stack): void {
  const problem = exited(stack.api) ?? exited(stack.worker);
  if (problem) throw new Error(problem);
}
