import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { TsprofError } from '../errors.js';
import { type AccessPolicy, accessPolicyFor, checkAccess, tokenCookie } from './access-policy.js';
import { type ListenAddress, isWildcardHost } from './listen-address.js';
import { contentSecurityPolicy } from './page-html.js';

/** UiAnswer is what a route answers for /ui/NAME. */
export type UiAnswer =
  | { kind: 'page'; html: string }
  | { kind: 'file'; type: string; body: Uint8Array; filename: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'status'; status: number; text: string };

/** UiRoute answers /ui/NAME (name is "" for /ui/ itself), or undefined for "no such page". */
export type UiRoute = (name: string, url: URL, req: IncomingMessage) => Promise<UiAnswer | undefined>;

/** WebUi is a running web UI server. */
export interface WebUi {
  /** The URL to open, with the token when the bind needs one. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * startUiServer listens on address and serves route under /ui/ (as pprof,
 * so it works behind a path prefix), with the access rules of AccessPolicy:
 * loopback peers only on a loopback bind, the Host header checked, the token
 * for any other bind (moved from the URL to a cookie on first use).
 */
export async function startUiServer(address: ListenAddress, route: UiRoute, log: (line: string) => void = () => {}): Promise<WebUi> {
  const { host, port } = address;
  const token = randomBytes(18).toString('base64url');
  let policy: AccessPolicy | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://tsprof.invalid');
    const decision = checkAccess(policy!, {
      peerAddress: req.socket.remoteAddress,
      host: req.headers.host,
      urlToken: url.searchParams.get('token'),
      cookieToken: cookieValue(req.headers.cookie, tokenCookie),
    });
    if (!decision.allowed) return answer(res, decision.status, 'text/plain; charset=utf-8', decision.reason + '\n');
    if (policy!.token !== undefined && url.searchParams.has('token')) {
      // Keep the token in a cookie and drop it from the URL, so links and history do not carry it.
      url.searchParams.delete('token');
      res.setHeader('Set-Cookie', `${tokenCookie}=${policy!.token}; HttpOnly; SameSite=Strict; Path=/`);
      return redirect(res, relativeTarget(url));
    }
    const path = url.pathname;
    if (path === '/' || path === '/ui') return redirect(res, 'ui/' + url.search);
    if (!path.startsWith('/ui/')) return answer(res, 404, 'text/plain; charset=utf-8', `not found: ${path} (the web UI is under /ui/)\n`);
    const result = await route(path.slice('/ui/'.length), url, req);
    if (result === undefined) return answer(res, 404, 'text/plain; charset=utf-8', `not found: ${path}\n`);
    switch (result.kind) {
      case 'page':
        res.setHeader('Content-Security-Policy', contentSecurityPolicy);
        return answer(res, 200, 'text/html; charset=utf-8', result.html);
      case 'file':
        res.setHeader('Content-Disposition', `attachment; filename="${result.filename}"`);
        return answer(res, 200, result.type, result.body);
      case 'redirect':
        return redirect(res, result.location);
      case 'status':
        return answer(res, result.status, 'text/plain; charset=utf-8', result.text + '\n');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const known = err instanceof TsprofError;
      const message = known ? (err as Error).message : `internal error: ${(err as Error).message ?? String(err)}`;
      log(`web UI: ${req.url ?? ''}: ${message}`);
      if (!res.headersSent) answer(res, known ? 400 : 500, 'text/plain; charset=utf-8', message + '\n');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new TsprofError(`-http=${host}:${port}: cannot listen: ${err.code ?? err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  policy = accessPolicyFor(host, bound, token);
  const shownHost = isWildcardHost(host) ? hostname() : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/ui/${policy.token !== undefined ? `?token=${policy.token}` : ''}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function answer(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.end();
}

/** relativeTarget is url as a link relative to itself (its last path segment and query), so redirects work behind a path prefix. */
function relativeTarget(url: URL): string {
  const last = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  return (last === '' ? './' : last) + url.search;
}

/**
 * sameOrigin reports whether a state-changing request comes from the web
 * UI's own pages: the browser says so (Sec-Fetch-Site), or its Origin is this
 * server. A page elsewhere cannot change settings through the user's browser.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = req.headers.origin;
  return origin !== undefined && origin === `http://${req.headers.host ?? ''}`;
}

/** readBody reads a request's body as text, refusing more than limit bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TsprofError(`request body over ${limit} bytes`);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
