/**
 * Prometheus metrics, one registry per process: the API serves it at /metrics, a separate worker
 * process on WORKER_METRICS_PORT, `npm start` (both in one process) through the API.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'API request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    webhookNotifications: new Counter({
      name: 'webhook_notifications_total',
      help: 'Provider notifications received, by provider and outcome (signalled, coalesced, no_workflow, ignored, refused, unavailable, too_large)',
      labelNames: ['provider', 'outcome'] as const,
      registers: [registry],
    }),
    syncDuration: new Histogram({
      name: 'calendar_sync_duration_seconds',
      help: 'Sync activities by kind (initial, incremental, full, reconcile), provider and outcome (ok, failed)',
      labelNames: ['kind', 'provider', 'outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    providerCalls: new Histogram({
      name: 'calendar_provider_call_duration_seconds',
      help: 'Calendar provider calls by provider, operation (listChanges, getEvent, createEvent, …) and outcome (ok, throttled, or the failure kind)',
      labelNames: ['provider', 'operation', 'outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    notificationToSync: new Histogram({
      name: 'calendar_notification_to_sync_seconds',
      help: 'From a provider notification reaching the webhook to the end of the sync that applied it, by provider',
      labelNames: ['provider'] as const,
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    syncedEvents: new Counter({
      name: 'calendar_synced_events_total',
      help: 'Calendar changes the sync judged, by provider and result (changed, unchanged, or the reason it was ignored)',
      labelNames: ['provider', 'result'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
