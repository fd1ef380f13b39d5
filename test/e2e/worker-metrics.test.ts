/**
 * A separate worker's /metrics: the service's own (syncs, provider calls) and the Temporal SDK's
 * worker metrics in one scrape, named as Prometheus expects.
 */
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../../lib/free-port';
import { SyncHarness, waitFor } from '../support/sync-harness';
import { startWorkerProcess } from '../support/worker-process';

describe('a worker process', () => {
  let harness: SyncHarness;
  let worker: ChildProcess | undefined;
  beforeAll(async () => {
    harness = await SyncHarness.start();
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await harness.close();
  });

  it('serves its own metrics and the Temporal SDK’s on one /metrics', async () => {
    const port = await freePort();
    worker = startWorkerProcess(harness, { WORKER_METRICS_PORT: String(port) });
    const text = await waitFor(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
      const body = response?.ok ? await response.text() : '';
      // The SDK core's exporter fills in once the worker polls.
      return /^temporal_\w+/m.test(body) ? body : undefined;
    }, 'the worker /metrics with the SDK metrics', 90_000);
    expect(text).toMatch(/^# TYPE calendar_sync_duration_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE calendar_provider_call_duration_seconds histogram$/m);
    expect(text).toMatch(/^temporal_\w+_total\{/m); // counters carry Prometheus' _total suffix
  });
});
