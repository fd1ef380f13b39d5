/**
 * `npm start` as a user runs it: the whole stack comes up on embedded defaults, and SIGTERM (or
 * Ctrl-C's SIGINT) to the npm process stops every part of it, so no orphan keeps a port.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/free-port';
import { waitFor } from '../support/sync-harness';

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('npm start', () => {
  /**
   * `npm start` on free ports. The ports are chosen before it binds them, so a parallel test file
   * may take one meanwhile: a start that fails on a taken port is tried again on others.
   */
  async function startOnFreePorts() {
    for (let attempt = 1; ; attempt++) {
      const ports = { PORT: 0, TEMPORAL_DEV_PORT: 0, TEMPORAL_UI_PORT: 0, GOOGLE_EMULATOR_PORT: 0, MICROSOFT_EMULATOR_PORT: 0, EMBEDDED_POSTGRES_PORT: 0 };
      for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
      const env: NodeJS.ProcessEnv = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DATA_DIR: dataDir, WORKER_METRICS_PORT: '0', LOG_LEVEL: 'warn' };
      delete env.DATABASE_URL; // the embedded defaults, as on a fresh machine
      const npm = spawn('npm', ['start'], { cwd: path.resolve(__dirname, '../..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let exitedEarly = false;
      npm.stdout.on('data', (chunk) => (output += chunk));
      npm.stderr.on('data', (chunk) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => ((exitedEarly = true), resolve(code))));
      await waitFor(() => output.includes('is running') || exitedEarly, `npm start to be running (output so far: ${output.slice(-500)})`, 180_000);
      if (!exitedEarly) return { npm, ports, dataDir, exited };
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (!/EADDRINUSE/.test(output) || attempt >= 3) throw new Error(`npm start failed: ${output.slice(-1000)}`);
    }
  }

  it.each(['SIGTERM', 'SIGINT'] as const)('stops every process it started on %s', async (signal) => {
    const { npm, ports, dataDir, exited } = await startOnFreePorts();
    try {
      const ready = await fetch(`http://127.0.0.1:${ports.PORT}/readyz`);
      expect(ready.status).toBe(200);
      for (const [name, port] of Object.entries(ports)) expect({ name, listening: await accepts(port) }).toEqual({ name, listening: true });

      npm.kill(signal);
      await exited;
      for (const [name, port] of Object.entries(ports)) {
        await waitFor(async () => !(await accepts(port)), `${name} (${port}) to be released`, 60_000);
      }
    } finally {
      npm.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
