import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeletCluster, type KubeletClusterOptions } from './kubelet-cluster.js';

/** KubeletSimulatorOptions: the node's size, and where to listen (always loopback). */
export interface KubeletSimulatorOptions extends KubeletClusterOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
}

/** RunningKubeletSimulator is a listening simulator. */
export interface RunningKubeletSimulator {
  /** The scrape URL, e.g. http://127.0.0.1:40123/metrics/cadvisor. */
  url: string;
  port: number;
  cluster: KubeletCluster;
  /** Number of /metrics/cadvisor responses served so far. */
  readonly scrapes: number;
  close(): Promise<void>;
}

/**
 * startKubeletSimulator serves /metrics/cadvisor on 127.0.0.1 the way a
 * kubelet does. Every request is a new scrape: the node advances (usage
 * changes, a container restarts) and the response is streamed pod by pod.
 */
export async function startKubeletSimulator(options: KubeletSimulatorOptions = {}): Promise<RunningKubeletSimulator> {
  const cluster = new KubeletCluster(options);
  let scrapes = 0;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path !== '/metrics/cadvisor') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found: try /metrics/cadvisor\n');
      return;
    }
    scrapes++;
    cluster.advance();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    writePieces(res, cluster.renderMetrics());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/metrics/cadvisor`,
    port,
    cluster,
    get scrapes() {
      return scrapes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** writePieces streams the pieces, waiting for 'drain' so a slow client never makes us buffer 50 MB. */
function writePieces(res: import('node:http').ServerResponse, pieces: Iterator<string>): void {
  const pump = () => {
    for (;;) {
      const next = pieces.next();
      if (next.done) {
        res.end();
        return;
      }
      if (!res.write(next.value)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  res.on('close', () => res.removeListener('drain', pump));
  pump();
}
