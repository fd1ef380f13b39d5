/**
 * The per-connection "sync requested" marker that coalesces notifications across API instances
 * (connections/notification-coalescer.ts). The sync clears it as it starts (activities/connection.ts).
 */
import type { Database } from '../db/client';

/** A marker older than this was left by an instance that died before signalling: claim it again. */
const STALE_AFTER_SECONDS = 30;

export function syncRequestMarker(db: Database) {
  return {
    async claim(connectionId: string): Promise<boolean> {
      const claimed = await db.$executeRaw`
        UPDATE calendar_connections SET sync_requested_at = now()
        WHERE id = ${connectionId}::uuid
          AND (sync_requested_at IS NULL OR sync_requested_at < now() - make_interval(secs => ${STALE_AFTER_SECONDS}))`;
      return claimed === 1;
    },
    async release(connectionId: string): Promise<void> {
      await db.$executeRaw`UPDATE calendar_connections SET sync_requested_at = NULL WHERE id = ${connectionId}::uuid`;
    },
  };
}
