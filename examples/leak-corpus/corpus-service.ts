/**
 * runCorpusService is how every service of the leak corpus runs: the tsprof
 * agent (heap snapshots enabled), an HTTP server on 127.0.0.1 whose one route
 * calls the case's handler, and a load loop that drives that route over
 * loopback at a fixed rate. The loop is bounded in count and time, and the
 * process exits by itself after its lifetime, so a forgotten service never
 * outlives its test. When ready it prints one JSON line: {"case","url","agent"}.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { startAgent } from '../../src/agent/index.js';

/** CorpusRequest is what the load loop sends: a request number and a request id, as a real client would. */
export interface CorpusRequest {
  /** Sequence number of the request, from 0. */
  seq: number;
  /** A request id, unique per request (like an x-request-id header). */
  requestId: string;
  /** The incoming HTTP request itself. */
  req: IncomingMessage;
}

/** CorpusServiceOptions describe one service of the corpus. */
export interface CorpusServiceOptions {
  /** The case's name, as in the manifest. */
  name: string;
  /** The route's handler; its result is the response body. */
  handle(request: CorpusRequest): string | Promise<string>;
  /** Requests per second the load loop sends (default 20). */
  requestsPerSecond?: number;
  /** Most requests the loop sends (default: the rate times the loop's duration). */
  maxRequests?: number;
  /** Whether the handler answers at all; false for handlers that await forever (the loop does not wait then). */
  awaitsResponse?: boolean;
}

/** The load loop runs this long (ms) at most: a 60 s watch plus its snapshots, with margin. */
const loadDurationMs = Number(process.env.CORPUS_LOAD_MS ?? 150_000);
/** The process exits by itself after this long (ms). */
const lifetimeMs = Number(process.env.CORPUS_LIFETIME_MS ?? 200_000);

/** runCorpusService starts the agent, the server and the load loop of one corpus case. */
export async function runCorpusService(options: CorpusServiceOptions): Promise<void> {
  // As a user hunting a leak would: heap snapshots for the holder, Buffer sampling for sites outside the heap.
  const agent = await startAgent({ address: '127.0.0.1:0', heapSnapshots: true, externalSites: true });
  const server = createServer((req, res) => {
    const seq = Number(req.headers['x-seq'] ?? 0);
    const requestId = String(req.headers['x-request-id'] ?? `req-${seq}`);
    Promise.resolve()
      .then(() => options.handle({ seq, requestId, req }))
      .then(
        (body) => res.end(body),
        (err: unknown) => {
          res.statusCode = 500;
          res.end(String(err));
        },
      );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  process.stdout.write(JSON.stringify({ case: options.name, url, agent: agent.url }) + '\n');

  const rate = options.requestsPerSecond ?? 20;
  const maxRequests = options.maxRequests ?? Math.ceil((rate * loadDurationMs) / 1000);
  const started = Date.now();
  let seq = 0;
  const tick = setInterval(() => {
    if (seq >= maxRequests || Date.now() - started > loadDurationMs) {
      clearInterval(tick);
      return;
    }
    const n = seq++;
    const requestId = `${n.toString(16).padStart(8, '0')}-${Math.random().toString(16).slice(2, 10)}`;
    const req = httpRequest(url, { headers: { 'x-seq': String(n), 'x-request-id': requestId }, agent: false }, (res) => res.resume());
    req.on('error', () => {});
    if (options.awaitsResponse === false) req.setTimeout(1000, () => req.destroy());
    req.end();
  }, 1000 / rate);

  const exit = setTimeout(() => process.exit(0), lifetimeMs);
  exit.unref();
  const shutdown = () => {
    clearInterval(tick);
    server.closeAllConnections();
    server.close();
    void agent.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
