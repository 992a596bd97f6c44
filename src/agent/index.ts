import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { TsprofError, errorMessage } from '../errors.js';
import { acquireAgentRuntime } from './agent-runtime.js';
import { startFleetMode } from './continuous/fleet-mode.js';
import { type AgentOptions, resolveAgentOptions } from './options.js';
import { handlePprofRequest, sendText } from './pprof-endpoints.js';

export type { AgentOptions } from './options.js';

/** The path Go serves its profiles under, and so do we. */
export const defaultPprofPrefix = '/debug/pprof';

/** RunningAgent is a started agent: where it listens and how to stop it. */
export interface RunningAgent {
  /** `host:port` actually bound, e.g. `127.0.0.1:6060`. */
  address: string;
  port: number;
  /** Origin, e.g. `http://127.0.0.1:6060` (`https:` with TLS); the profiles are under `${url}/debug/pprof/`. */
  url: string;
  /**
   * stop closes the server and its connections and stops sampling; it leaves no handles behind.
   * When pushing, it first uploads the last interval and what is queued, for at most `flushMs` (default 5 s).
   */
  stop(options?: { flushMs?: number }): Promise<void>;
}

/**
 * startAgent serves `/debug/pprof/` for this process on its own HTTP server
 * (default 127.0.0.1:6060) and starts heap sampling. It rejects with a
 * TsprofError on bad options or an address it cannot use. The server never
 * keeps the process alive.
 */
export async function startAgent(options: AgentOptions = {}): Promise<RunningAgent> {
  const resolved = resolveAgentOptions(options);
  const owned = acquireAgentRuntime(resolved);
  const { runtime } = owned;
  const sockets = new Set<Socket>();
  const onRequest: RequestListener = (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (path !== defaultPprofPrefix && !path.startsWith(defaultPprofPrefix + '/')) {
      sendText(res, 404, `not found: ${path}\nthe profiles are under ${defaultPprofPrefix}/`);
      return;
    }
    handlePprofRequest(runtime, defaultPprofPrefix, path.slice(defaultPprofPrefix.length), req, res).catch((err) =>
      runtime.errors.report('request', err),
    );
  };
  // With TLS the token never crosses the network in clear.
  const server = resolved.tls ? createHttpsServer({ cert: resolved.tls.cert, key: resolved.tls.key }, onRequest) : createServer(onRequest);
  // The agent must never keep the host alive, nor hold it up on exit.
  server.on('connection', (socket: Socket) => {
    socket.unref();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.requestTimeout = 0; // CPU profiles legitimately take minutes; headers still time out
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(resolved.port, resolved.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    owned.release();
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the address is in use' : errorMessage(err);
    throw new TsprofError(`tsprof agent: cannot listen on ${resolved.host}:${resolved.port}: ${why}`);
  }
  server.unref();
  server.on('error', (err) => runtime.errors.report('server', err));
  const fleet = startFleetMode(runtime);
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : resolved.port;
  const hostForUrl = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  let stopped: Promise<void> | undefined;
  return {
    address: `${hostForUrl}:${port}`,
    port,
    url: `${resolved.tls ? 'https' : 'http'}://${hostForUrl}:${port}`,
    stop(options?: { flushMs?: number }) {
      stopped ??= fleet.stop(options?.flushMs).then(
        () =>
          new Promise<void>((resolve) => {
            owned.release();
            server.close(() => resolve());
            for (const socket of sockets) socket.destroy();
            server.closeAllConnections();
          }),
      );
      return stopped;
    },
  };
}

/** PprofHandlerOptions are the agent's options without the address: the host app owns the server. */
export interface PprofHandlerOptions extends Omit<AgentOptions, 'address'> {
  /** Path the endpoints live under (default `/debug/pprof`). */
  prefix?: string;
}

/** PprofHandler serves the endpoints from an existing server; `close()` stops its sampling. */
export interface PprofHandler {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  close(): Promise<void>;
}

/**
 * pprofHandler returns a request handler serving the profile endpoints inside
 * the app's own server, and starts heap sampling. Mount it as:
 * - node:http: `if (req.url.startsWith('/debug/pprof')) return handler(req, res)`
 * - Express: `app.use('/debug/pprof', handler)` (Express strips the mount path; both forms work)
 * - Fastify: `app.all('/debug/pprof/*', (request, reply) => { reply.hijack(); handler(request.raw, reply.raw) })`
 * Requests outside the prefix go to `next` when given (Express), else get a 404.
 * It applies the same token rule as startAgent when a token is set.
 */
export function pprofHandler(options: PprofHandlerOptions = {}): PprofHandler {
  const prefix = (options.prefix ?? defaultPprofPrefix).replace(/\/+$/, '');
  // Loopback exposure is the host's decision here, so the address rule does not apply.
  const resolved = resolveAgentOptions({ ...options, address: '127.0.0.1:0' });
  const owned = acquireAgentRuntime(resolved);
  const fleet = startFleetMode(owned.runtime);
  const handler = ((req, res, next) => {
    try {
      const path = (req.url ?? '/').split('?', 1)[0]!;
      let subpath: string;
      if (prefix !== '' && (path === prefix || path.startsWith(prefix + '/'))) subpath = path.slice(prefix.length);
      else if (prefix === '' || wasMountStripped(req, path)) subpath = path;
      else if (next) return next();
      else return sendText(res, 404, `not found: ${path}\nthe profiles are under ${prefix}/`);
      handlePprofRequest(owned.runtime, prefix, subpath, req, res).catch((err) => owned.runtime.errors.report('request', err));
    } catch (err) {
      owned.runtime.errors.report('request', err);
    }
  }) as PprofHandler;
  handler.close = async () => {
    await fleet.stop();
    owned.release();
  };
  return handler;
}

/** wasMountStripped tells whether a framework (Express) removed the mount path from req.url. */
function wasMountStripped(req: IncomingMessage, path: string): boolean {
  const original = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl;
  return typeof original === 'string' && original.split('?', 1)[0] !== path;
}
