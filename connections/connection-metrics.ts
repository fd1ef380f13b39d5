/**
 * The gauges an operator on call alerts on, read from the database when /metrics is scraped:
 * connections by provider and status (how many wait for their user to reconnect), and how long the
 * longest-waiting ACTIVE connection has gone without a sync (push and poll have both stalled when
 * that far exceeds the poll interval). A database that does not answer leaves them empty; the rest of
 * /metrics is still served.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../db/client';
import type { Logger } from '../lib/logger';

interface ConnectionStats {
  provider: string;
  status: string;
  connections: number;
  oldestSyncAgeSeconds: number;
}

/** One query per scrape serves both gauges. */
const STATS_FRESH_MS = 1_000;

export function registerConnectionGauges(registry: Registry, db: Database, logger: Logger): void {
  if (registry.getSingleMetric('calendar_connections')) return;
  let cached: { at: number; stats: Promise<ConnectionStats[]> } | undefined;
  const stats = () => {
    if (!cached || Date.now() - cached.at > STATS_FRESH_MS) {
      const query = db.$queryRaw<ConnectionStats[]>`
        SELECT provider::text AS provider, status::text AS status, count(*)::int AS connections,
               extract(epoch FROM now() - min(coalesce(last_sync_at, connected_at)))::float8 AS "oldestSyncAgeSeconds"
        FROM calendar_connections GROUP BY provider, status`;
      cached = { at: Date.now(), stats: query.catch((error: unknown) => {
        logger.warn('connection gauges unavailable', { error: error instanceof Error ? error.message : String(error) });
        return [];
      }) };
    }
    return cached.stats;
  };

  new Gauge({
    name: 'calendar_connections',
    help: 'Calendar connections by provider and status (ACTIVE, NEEDS_REAUTH, DISCONNECTED, …)',
    labelNames: ['provider', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await stats()) this.set({ provider: row.provider, status: row.status }, row.connections);
    },
  });
  new Gauge({
    name: 'calendar_connection_oldest_sync_age_seconds',
    help: 'Time since the ACTIVE connection that has waited longest last synced, by provider',
    labelNames: ['provider'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await stats()) if (row.status === 'ACTIVE') this.set({ provider: row.provider }, row.oldestSyncAgeSeconds);
    },
  });
}
