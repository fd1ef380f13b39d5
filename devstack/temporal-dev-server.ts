/**
 * A local Temporal dev server (the official CLI's `server start-dev`) for `npm start` and the tests:
 * SQLite persistence, the Web UI, and this project's search attributes registered at launch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { freePort } from '../lib/free-port';
import { resolveTemporalCli, TEMPORAL_CLI_HELP } from './temporal-cli';

export interface TemporalDevServer {
  address: string;
  /** Web UI URL, when the UI is on. */
  uiUrl?: string;
  stop(): Promise<void>;
}

export interface TemporalDevServerOptions {
  cliPath?: string;
  /** SQLite file for persistence across starts; in memory when absent. */
  dbFile?: string;
  /** 0 picks a free port. */
  port: number;
  /** Web UI port; `false` runs headless (tests). */
  uiPort: number | false;
  /** Extra dynamic config, e.g. `{ 'limit.historyCount.suggestContinueAsNew': 200 }` in tests. */
  dynamicConfig?: Record<string, unknown>;
  log?: (line: string) => void;
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const log = options.log ?? console.log;
  const cli = resolveTemporalCli(options.cliPath, log);
  if (!cli) return startWithSdkDownload(options);

  const port = options.port || (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'];
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.uiPort === false) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }

  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    uiUrl: options.uiPort === false ? undefined : `http://127.0.0.1:${options.uiPort}`,
    stop: () => stopChild(child),
  };
}

async function waitUntilServing(address: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`temporal server start-dev exited with code ${child.exitCode}:\n${stderr()}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Temporal dev server did not start within 60s: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Last resort where the internet is reachable: the SDK downloads the same CLI. */
async function startWithSdkDownload(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  let testing: typeof import('@temporalio/testing');
  try {
    testing = await import('@temporalio/testing');
  } catch {
    throw new Error(TEMPORAL_CLI_HELP);
  }
  try {
    const env = await testing.TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port: options.port || undefined,
        ui: options.uiPort !== false,
        uiPort: options.uiPort === false ? undefined : options.uiPort,
        dbFilename: options.dbFile,
        searchAttributes: SEARCH_ATTRIBUTES,
        extraArgs: Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => [
          '--dynamic-config-value',
          `${key}=${JSON.stringify(value)}`,
        ]),
      },
    });
    return {
      address: env.address,
      uiUrl: options.uiPort === false ? undefined : `http://127.0.0.1:${options.uiPort}`,
      stop: () => env.teardown(),
    };
  } catch (error) {
    throw new Error(`${TEMPORAL_CLI_HELP}\n(The Temporal SDK's download failed too: ${(error as Error).message})`);
  }
}
