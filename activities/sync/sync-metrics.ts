/**
 * Times a sync activity and counts what it judged, for /metrics: how long syncs take per kind and
 * provider, how many fail, and how many calendar changes were applied or ignored (and why).
 */
import type { Metrics } from '../../lib/metrics';
import type { ProviderName } from '../../model/calendar-event';
import type { Tally } from './apply-events';

export type SyncKind = 'initial' | 'incremental' | 'full' | 'reconcile';

/** What a sync reports that the metrics read. */
export interface SyncReport {
  tally: Tally;
  /** An incremental sync whose cursor was invalidated became a full one. */
  fullResync?: boolean;
}

export async function measuredSync<T>(
  metrics: Metrics | undefined,
  provider: ProviderName,
  kind: SyncKind,
  run: () => Promise<T & SyncReport>,
): Promise<T & SyncReport> {
  if (!metrics) return run();
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const outcome = await run();
    const actual = kind === 'incremental' && outcome.fullResync ? 'full' : kind;
    metrics.syncDuration.observe({ kind: actual, provider, outcome: 'ok' }, seconds());
    const { seen, changed, ignored } = outcome.tally;
    const ignoredTotal = Object.values(ignored).reduce((sum, n) => sum + n, 0);
    if (changed) metrics.syncedEvents.inc({ provider, result: 'changed' }, changed);
    if (seen - changed - ignoredTotal > 0) metrics.syncedEvents.inc({ provider, result: 'unchanged' }, seen - changed - ignoredTotal);
    for (const [reason, count] of Object.entries(ignored)) metrics.syncedEvents.inc({ provider, result: reason }, count);
    return outcome;
  } catch (error) {
    metrics.syncDuration.observe({ kind, provider, outcome: 'failed' }, seconds());
    throw error;
  }
}
