/**
 * The Temporal cluster the service uses: TEMPORAL_ADDRESS when set, else a local dev server with its
 * Web UI, persisted under the data directory.
 */
import path from 'node:path';
import type { Config } from '../config';
import { startTemporalDevServer } from './temporal-dev-server';
import { targetFromConfig, type TemporalTarget } from '../service/temporal-connection';

export interface TemporalCluster {
  target: TemporalTarget;
  uiUrl?: string;
  stop(): Promise<void>;
}

/** The dev server's SQLite files (the database and its journals). */
export const temporalStateDir = (config: Config) => path.join(config.dataDir, 'temporal');

export async function openTemporal(config: Config, log: (line: string) => void): Promise<TemporalCluster> {
  if (config.temporal.address) {
    return { target: targetFromConfig(config, config.temporal.address), stop: async () => undefined };
  }
  const server = await startTemporalDevServer({
    cliPath: config.temporal.cliPath,
    dbFile: path.join(temporalStateDir(config), 'temporal.db'),
    port: config.temporal.devPort,
    uiPort: config.temporal.uiPort,
    log,
  });
  return { target: targetFromConfig(config, server.address), uiUrl: server.uiUrl, stop: () => server.stop() };
}
