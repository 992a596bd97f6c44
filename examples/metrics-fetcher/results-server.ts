import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsFetcher } from './metrics-fetcher.js';

/** RunningResultsServer is the fetcher's own HTTP API. */
export interface RunningResultsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * startResultsServer serves what the fetcher found, on 127.0.0.1:
 * GET /containers (latest per-container memory and CPU, JSON),
 * GET /stats (scrapes, cached containers, heap), GET /healthz.
 */
export async function startResultsServer(fetcher: MetricsFetcher, port = 0): Promise<RunningResultsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body) + '\n');
    };
    if (path === '/containers') {
      json([...fetcher.latest.values()].flat());
    } else if (path === '/stats') {
      const memory = process.memoryUsage();
      json({
        mode: fetcher.resolver.mode,
        scrapes: fetcher.scrapes,
        failures: fetcher.failures,
        lastError: fetcher.lastError ?? null,
        cachedContainers: fetcher.resolver.cache.size,
        heapUsedBytes: memory.heapUsed,
        rssBytes: memory.rss,
      });
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /containers or /stats\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
