/**
 * `npm start -- --fresh`: the embedded stack starts over. The database, the Temporal dev server's
 * state and the emulators' state refer to one another (a connection's row, its workflow, its grant,
 * calendar and push channel at the emulator), so they are removed together, never one without the
 * others. Kept: the secrets (encryption key, admin token; the demo portals' API keys are made anew,
 * their accounts being gone), the emulators' CA (clients may have been told to trust it), and
 * anything else under DATA_DIR (the bench's, chaos runs' and tests' files).
 */
import fs from 'node:fs';
import net from 'node:net';
import type { Config } from '../config';
import { embeddedDatabaseDir } from './database';
import { emulatorStateDir } from './start-emulators';
import { temporalStateDir } from './temporal-cluster';

export async function startFresh(config: Config, say: (line: string) => void): Promise<void> {
  // State outside DATA_DIR is not this command's to delete, and resetting only the half in DATA_DIR
  // would leave the other half naming connections, workflows or calendars that no longer exist.
  const external = [config.database.url && 'DATABASE_URL', config.temporal.address && 'TEMPORAL_ADDRESS'].filter(Boolean);
  if (external.length > 0) {
    const them = external.length > 1 ? 'them' : 'it';
    throw new Error(`--fresh starts the embedded database and Temporal dev server in ${config.dataDir} over, and cannot reset ${external.join(' or ')}: unset ${them}, or empty ${them} yourself and start without --fresh`);
  }
  // Deleting the files of a running stack would corrupt it, not restart it.
  if (await inUse(config.database.embeddedPort)) {
    throw new Error(`--fresh: port ${config.database.embeddedPort} (EMBEDDED_POSTGRES_PORT) is in use: stop the npm start that is running first`);
  }
  for (const dir of [embeddedDatabaseDir(config), temporalStateDir(config), emulatorStateDir(config)]) fs.rmSync(dir, { recursive: true, force: true });
  say(`Starting fresh: removed the embedded database, Temporal's state and the emulators' state from ${config.dataDir}`);
}

/** Whether something listens on loopback `port` already (0 asks for any port: never in use). */
function inUse(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}
