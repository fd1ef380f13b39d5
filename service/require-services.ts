import type { Config } from '../config';

/** The separate worker and API processes talk to real services only: `npm start` is the embedded stack. */
export function requireProductionServices(config: Config): { databaseUrl: string; temporalAddress: string } {
  // The Temporal address may also come from a Temporal profile (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE).
  const missing = [!config.database.url && 'DATABASE_URL', !config.temporal.address && 'TEMPORAL_ADDRESS (or a Temporal profile with an address)'].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(`${missing.join(' and ')} must be set for this process (use \`npm start\` for the embedded stack)`);
  }
  return { databaseUrl: config.database.url!, temporalAddress: config.temporal.address! };
}
