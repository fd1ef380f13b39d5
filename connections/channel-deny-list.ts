/**
 * Channels the service stopped listening to, kept in memory so that webhooks refuse them without a
 * query. A retired channel's signed token stays cryptographically valid until the channel expires
 * (its stop at the provider may even be pending on a dead grant), so this list is what refuses it.
 *
 * It is reloaded from the database every `refreshMs` (retired channels that have not expired yet:
 * a handful per connection at most). A channel retired by a worker is refused by every API instance
 * within one refresh; until then its notifications only wake a sync, which is harmless. While the
 * database is down the last list stays in force.
 */
import type { Database } from '../db/client';
import type { Logger } from '../lib/logger';

export class ChannelDenyList {
  private denied = new Set<string>();
  private timer?: NodeJS.Timeout;
  private loaded = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly refreshMs: number,
  ) {}

  has(channelId: string): boolean {
    return this.denied.has(channelId);
  }

  async refresh(): Promise<void> {
    const rows = await this.db.pushChannel.findMany({ where: { retiredAt: { not: null }, expiresAt: { gt: new Date() } }, select: { id: true } });
    this.denied = new Set(rows.map((row) => row.id));
    this.loaded = true;
  }

  start(): void {
    const refresh = () =>
      this.refresh().catch((error) => {
        if (this.loaded) return; // keep the last list; say so once, not every refresh
        this.logger.warn('channel deny list not loaded yet: database unavailable', { error: String(error) });
      });
    void refresh();
    this.timer = setInterval(refresh, this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
