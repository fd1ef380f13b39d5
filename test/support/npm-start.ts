/**
 * `npm start` as a user runs it, on free ports, the embedded defaults and a DATA_DIR of its own.
 * The ports are chosen before it binds them, so a parallel test file may take one meanwhile: a start
 * that fails on a taken port is tried again on others.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/free-port';
import { waitFor } from './sync-harness';

export interface StartedService {
  npm: ChildProcess;
  ports: Record<'PORT' | 'TEMPORAL_DEV_PORT' | 'TEMPORAL_UI_PORT' | 'GOOGLE_EMULATOR_PORT' | 'MICROSOFT_EMULATOR_PORT' | 'EMBEDDED_POSTGRES_PORT', number>;
  dataDir: string;
  /** Everything it printed so far. */
  output: () => string;
  exited: Promise<number | null>;
  /** Stops it as Ctrl-C would (SIGKILL if it hangs), keeping its DATA_DIR. */
  stop: () => Promise<void>;
  /** Stops it and removes its DATA_DIR. */
  remove: () => Promise<void>;
}

export const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** `again`: a second start of a stopped service, on its ports and DATA_DIR, as a user restarts it. */
export async function startOnFreePorts(again?: Pick<StartedService, 'ports' | 'dataDir'>): Promise<StartedService> {
  for (let attempt = 1; ; attempt++) {
    const ports: StartedService['ports'] = again ? { ...again.ports } : { PORT: 0, TEMPORAL_DEV_PORT: 0, TEMPORAL_UI_PORT: 0, GOOGLE_EMULATOR_PORT: 0, MICROSOFT_EMULATOR_PORT: 0, EMBEDDED_POSTGRES_PORT: 0 };
    if (!again) for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
    const dataDir = again?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
    const env: NodeJS.ProcessEnv = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DATA_DIR: dataDir, WORKER_METRICS_PORT: '0', LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL; // the embedded defaults, as on a fresh machine
    const npm = spawn('npm', ['start'], { cwd: path.resolve(__dirname, '../..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let exitedEarly = false;
    npm.stdout!.on('data', (chunk) => (output += chunk));
    npm.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => ((exitedEarly = true), resolve(code))));
    await waitFor(() => output.includes('is running') || exitedEarly, `npm start to be running (output so far: ${output.slice(-500)})`, 180_000);
    const stop = async () => {
      // SIGKILL to npm alone would orphan the stack it started: stop it the way a user does.
      if (!exitedEarly) npm.kill('SIGINT');
      const hung = setTimeout(() => npm.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(hung);
    };
    const remove = async () => {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
    if (!exitedEarly) return { npm, ports, dataDir, output: () => output, exited, stop, remove };
    await (again ? stop() : remove());
    if (again || !/EADDRINUSE/.test(output) || attempt >= 3) throw new Error(`npm start failed: ${output.slice(-1000)}`);
  }
}
