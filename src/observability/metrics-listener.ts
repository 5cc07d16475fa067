import { createServer, type Server } from 'node:http';
import { metricsRegistry } from './metrics';

/**
 * GET /metrics on a port of its own, for deployments that keep the scrape endpoint off the public
 * entry (CAIRN_API_METRICS_PORT): the ingress and Caddy route only the API port, Prometheus
 * scrapes this one. Everything else answers 404. `metrics` gives the text (the primary of an API
 * cluster sums its processes').
 */
export async function startMetricsListener(
  host: string,
  port: number,
  metrics: () => Promise<string> = () => metricsRegistry.metrics(),
  contentType: string = metricsRegistry.contentType,
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metrics().then(
      (text) =>
        response
          .writeHead(200, {
            'content-type': contentType,
            'cache-control': 'no-store',
          })
          .end(text),
      (error: unknown) =>
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Never keep a stopping API alive.
  server.unref();
  return server;
}
