import { TsprofError } from '../errors.js';
import type { FetchOptions } from '../fetch/fetch-bytes.js';
import { isHostPort } from '../fetch/host-port.js';

/**
 * AgentRequestOptions: how to talk to a tsprof agent (or any /debug/pprof
 * server): the token, the timeout, the size cap and the HTTP seam.
 */
export type AgentRequestOptions = FetchOptions;

/**
 * heapProfileUrl turns what a user types into the heap profile endpoint: a
 * bare origin (`http://127.0.0.1:6060`) gets `/debug/pprof/heap`; a full
 * endpoint URL is kept. With gc, `gc=1` asks the agent to collect garbage
 * first, so "in use" means reachable, not "not yet collected".
 */
export function heapProfileUrl(input: string, gc: boolean): URL {
  const url = parseHttpUrl(input);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/debug/pprof/heap';
  if (gc && !url.searchParams.has('gc')) url.searchParams.set('gc', '1');
  return url;
}

/**
 * heapSnapshotUrl is the agent's snapshot endpoint next to a heap profile
 * endpoint: `…/debug/pprof/heap` → `…/debug/pprof/heapsnapshot`, of the same
 * thread (`?thread=N`, a worker's) when the profiles are of one.
 */
export function heapSnapshotUrl(heapUrl: URL): URL {
  const url = siblingEndpointUrl(heapUrl, 'heapsnapshot');
  const thread = heapUrl.searchParams.get('thread');
  if (thread !== null) url.searchParams.set('thread', thread);
  return url;
}

/**
 * siblingEndpointUrl is another of the agent's endpoints next to a heap profile
 * endpoint, with no query: `…/debug/pprof/heap` → `…/debug/pprof/NAME`
 * (`/debug/pprof/NAME` when the URL does not end in /heap).
 */
export function siblingEndpointUrl(heapUrl: URL, name: string): URL {
  const url = new URL(heapUrl.href);
  url.search = '';
  url.pathname = url.pathname.endsWith('/heap') ? url.pathname.slice(0, -'heap'.length) + name : `/debug/pprof/${name}`;
  return url;
}

/** parseHttpUrl accepts http(s) URLs, and `host:port[/path]` as http as pprof does, with one clear error for anything else. */
export function parseHttpUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(isHostPort(input) ? `http://${input}` : input);
  } catch {
    throw new TsprofError(`${input}: not a URL (expected e.g. http://127.0.0.1:6060/debug/pprof/heap)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TsprofError(`${input}: not an http(s) URL`);
  return url;
}

/**
 * getBytes (a body into memory) and downloadToFile (a body streamed to a
 * file) are the fetch seam's, under the names the leak engine calls them.
 */
export { fetchBytes as getBytes, fetchToFile as downloadToFile } from '../fetch/fetch-bytes.js';
