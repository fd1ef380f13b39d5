/**
 * A worker process's /metrics for Prometheus to scrape: ours (sync durations, outcomes, judged
 * events, provider calls, process metrics) and, appended, the Temporal SDK core's worker metrics
 * (`temporal_…`), which the core serves on a loopback port of its own. Port 0 turns it off.
 */
import http from 'node:http';
import type { Metrics } from '../lib/metrics';

async function sdkMetrics(url: string | undefined): Promise<string> {
  if (!url) return '';
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok ? `\n${await response.text()}` : '';
  } catch {
    return ''; // ours still answer when the core's exporter does not
  }
}

export async function serveMetrics(metrics: Metrics, host: string, port: number, sdkMetricsUrl?: string): Promise<{ url?: string; stop(): Promise<void> }> {
  if (port === 0) return { stop: async () => undefined };
  const server = http.createServer(async (request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    const [own, sdk] = await Promise.all([metrics.registry.metrics(), sdkMetrics(sdkMetricsUrl)]);
    response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(own + sdk);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { url: `http://${host}:${port}/metrics`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
