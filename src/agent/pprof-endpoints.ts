import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentRuntime } from './agent-runtime.js';
import { bearerTokenMatches } from './bearer-auth.js';
import { endpoints } from './endpoints/table.js';
import { sendText } from './endpoints/responses.js';
import { HeapSamplerUnavailableError } from './heap-sampler.js';
import { HttpError } from './http-error.js';
import { indexPage, type ThreadRow } from './index-page.js';
import { mainThread } from './workers/thread-info.js';
import { WorkerExitedError, WorkerUnresponsiveError } from './workers/worker-channel.js';

export type { AgentRuntime } from './agent-runtime.js';
export { sendText } from './endpoints/responses.js';

/** mainThreadRow is the agent's own thread on the index page, with the app's script. */
function mainThreadRow(): ThreadRow {
  return { ...mainThread, url: process.argv[1] ?? '' };
}

/**
 * handlePprofRequest serves one request whose path (query removed) below the
 * prefix is `subpath` ('' or '/' for the index). It never throws: every failure
 * becomes an HTTP answer, and unexpected ones are logged once.
 */
export async function handlePprofRequest(
  runtime: AgentRuntime,
  prefix: string,
  subpath: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // One signal per request, aborted when the client goes away or the agent stops (one listener for all).
  const request = runtime.requests.open();
  res.on('close', request.abort);
  try {
    if (runtime.options.token !== undefined && !bearerTokenMatches(req, runtime.options.token)) {
      throw new HttpError(401, 'unauthorized: send the agent token as "Authorization: Bearer <token>"', {
        'WWW-Authenticate': 'Bearer realm="tsprof"',
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, `method ${req.method} not allowed: the profile endpoints answer GET`, { Allow: 'GET, HEAD' });
    }
    const query = new URL(req.url ?? '/', 'http://agent').searchParams;
    const name = subpath.replace(/^\/+|\/+$/g, '');
    const available = endpoints.filter((e) => e.available(runtime));
    if (name === '') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(indexPage(prefix, available, [mainThreadRow(), ...runtime.workers.list().map((w) => w.info)]));
      return;
    }
    const endpoint = endpoints.find((e) => e.name === name);
    if (!endpoint || !endpoint.available(runtime)) {
      const why = endpoint?.unavailableReason ? `${name}: ${endpoint.unavailableReason}` : `unknown profile: ${name}`;
      throw new HttpError(404, `${why}\navailable: ${available.map((e) => e.name).join(', ')}`);
    }
    if (req.method === 'HEAD') {
      // A HEAD must not start a 30-second CPU profile or a heap snapshot.
      res.writeHead(200, { 'Content-Type': name === 'cmdline' ? 'text/plain; charset=utf-8' : 'application/octet-stream' });
      res.end();
      return;
    }
    await endpoint.serve({ runtime, req, res, query, signal: request.signal });
  } catch (err) {
    if (err instanceof HttpError) {
      sendText(res, err.status, err.message, err.headers);
    } else if (err instanceof WorkerExitedError) {
      sendText(res, 410, `tsprof agent: ${err.message}; its profile is lost`);
    } else if (err instanceof WorkerUnresponsiveError) {
      sendText(res, 504, `tsprof agent: ${err.message}`);
    } else if (err instanceof HeapSamplerUnavailableError) {
      sendText(res, 503, `tsprof agent: ${err.message}`, { 'Retry-After': '5' });
    } else {
      runtime.errors.report(`serving ${req.url ?? ''}`, err);
      sendText(res, 500, `tsprof agent: internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
  } finally {
    res.off('close', request.abort);
    request.close();
  }
}
