import { createServer, type Server } from 'node:http';
import { metricsRegistry } from '../src/observability/metrics';

/** Where Temporal's SDK exporter listens, relative to the process's metrics port. */
export const sdkMetricsPort = (metricsPort: number) => metricsPort + 1;

const SDK_SCRAPE_TIMEOUT_MS = 2_000;

let workersPolling = false;

/** From now on GET /ready answers 200: the process's workers take tasks. */
export function markWorkersPolling(): void {
  workersPolling = true;
}

/**
 * The worker process's GET /ready (200 once its workers take tasks) and GET /metrics: Cairn's own
 * metrics (prom-client) followed by the Temporal SDK's (Core's Prometheus exporter on 127.0.0.1,
 * fetched on each scrape), so Prometheus needs one target per process. The two sets never share
 * a name (the SDK's all start with temporal_).
 */
export async function startMetricsServer(host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method === 'GET' && path === '/ready') {
      // For `npm start`, `npm test` and readiness probes: 503 while the worker warms up.
      response
        .writeHead(workersPolling ? 200 : 503, { 'content-type': 'text/plain' })
        .end(workersPolling ? 'ready\n' : 'starting\n');
      return;
    }
    if (request.method !== 'GET' || path !== '/metrics') {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try GET /metrics or GET /ready\n');
      return;
    }
    Promise.all([metricsRegistry.metrics(), sdkMetrics(port)]).then(
      ([own, sdk]) => {
        response
          .writeHead(200, {
            'content-type': metricsRegistry.contentType,
            'cache-control': 'no-store',
          })
          .end(`${own}\n${sdk}`);
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Never keep a finished worker process alive.
  server.unref();
  return server;
}

/** The SDK's metrics text, or a comment saying why it is missing (the scrape still succeeds). */
async function sdkMetrics(port: number): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${sdkMetricsPort(port)}/metrics`, {
      signal: AbortSignal.timeout(SDK_SCRAPE_TIMEOUT_MS),
    });
    if (!response.ok) return `# Temporal SDK metrics unavailable: HTTP ${response.status}\n`;
    return await response.text();
  } catch (error) {
    return `# Temporal SDK metrics unavailable: ${String(error).replace(/\s+/g, ' ')}\n`;
  }
}
