import http from 'node:http';
import https from 'node:https';

/** HttpGetRequest is one GET sent through the fetch seam. */
export interface HttpGetRequest {
  url: URL;
  headers: Record<string, string>;
  /** signal aborts the request, and the reading of its body. */
  signal: AbortSignal;
}

/** HttpResponse is a status line and a body to stream (after redirects). */
export interface HttpResponse {
  status: number;
  statusText: string;
  body: AsyncIterable<Uint8Array>;
  /** discard stops reading the body and lets the connection go. */
  discard(): void;
}

/**
 * HttpGet is the one seam through which tsprof makes HTTP requests (sources,
 * `watch`, the demo), so tests can pass a fake one instead of patching
 * globals. A network failure rejects with the system's error (its `code`,
 * e.g. ECONNREFUSED, is kept); any status resolves.
 */
export type HttpGet = (request: HttpGetRequest) => Promise<HttpResponse>;

/** Redirects followed before giving up, as Go's http client (which pprof uses). */
const maxRedirects = 10;

/**
 * nodeHttpGet is the real HttpGet, over node:http and node:https. It follows
 * redirects as Go's client does, and drops the Authorization header when a
 * redirect leaves the origin, so a token is never sent to another host.
 */
export const nodeHttpGet: HttpGet = async (request) => {
  let url = request.url;
  let headers = request.headers;
  for (let hop = 0; ; hop++) {
    const res = await getOnce(url, headers, request.signal);
    const location = res.headers.location;
    if (!(res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location)) {
      return { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body: res, discard: () => res.destroy() };
    }
    res.resume();
    if (hop === maxRedirects) throw new Error(`stopped after ${maxRedirects} redirects`);
    const next = new URL(location, url);
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
    url = next;
  }
};

function getOnce(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<http.IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers, signal }, resolve);
    req.on('error', reject);
  });
}
