/**
 * A worker process's /metrics (sync durations, outcomes, judged events, process metrics) for
 * Prometheus to scrape. Port 0 turns it off.
 */
import http from 'node:http';
import type { Metrics } from '../lib/metrics';

export async function serveMetrics(metrics: Metrics, host: string, port: number): Promise<{ url?: string; stop(): Promise<void> }> {
  if (port === 0) return { stop: async () => undefined };
  const server = http.createServer(async (request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { url: `http://${host}:${port}/metrics`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
