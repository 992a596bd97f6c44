import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Config } from '../driver/config.js';
import { TsprofError } from '../errors.js';
import type { Profile } from '../profile/profile.js';
import { type AccessPolicy, accessPolicyFor, checkAccess, tokenCookie } from './access-policy.js';
import { type ListenAddress, isWildcardHost } from './listen-address.js';
import { contentSecurityPolicy, renderPage } from './page-html.js';
import { defaultSettingsFile, deleteConfig, readSavedConfigs, saveConfig, settingsQuery } from './saved-configs.js';
import { configFromQuery } from './url-config.js';
import type { ViewName } from './view-data.js';
import { computeView, downloadProfile } from './views.js';

/** WebUiOptions say what the web UI shows and where it listens. */
export interface WebUiOptions {
  profile: Profile;
  /** The command line's settings; each request's URL parameters apply on top. */
  config: Config;
  address: ListenAddress;
  /** Receives report warnings and request errors, one line each. */
  log?: (line: string) => void;
  /** Where -list finds sources (default process.cwd()). */
  cwd?: string;
  /** Where named configurations are saved (default: tsprof's settings file in the user's config directory). */
  settingsFile?: string;
}

/** WebUi is a running web UI server. */
export interface WebUi {
  /** The URL to open: the flame graph, with the token when the bind needs one. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

const views: Readonly<Record<string, ViewName>> = {
  '': 'flamegraph',
  flamegraph: 'flamegraph',
  top: 'top',
  graph: 'graph',
  peek: 'peek',
  source: 'source',
};

/** How many computed pages to keep, keyed by view and URL parameters (moving between views and back is common). */
const pageCacheSize = 16;

/** startWebUi listens on options.address and serves the views under /ui/, as pprof's -http. */
export async function startWebUi(options: WebUiOptions): Promise<WebUi> {
  const { host, port } = options.address;
  const token = randomBytes(18).toString('base64url');
  let policy: AccessPolicy | undefined;
  const cache = new Map<string, string>();
  const log = options.log ?? (() => {});
  const settingsFile = options.settingsFile ?? defaultSettingsFile();

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
    const name = path.slice('/ui/'.length);
    if (name === 'saveconfig' || name === 'deleteconfig') {
      if (req.method !== 'POST') return answer(res, 405, 'text/plain; charset=utf-8', `${name}: POST only\n`);
      if (!sameOrigin(req)) return answer(res, 403, 'text/plain; charset=utf-8', `forbidden: ${name} is only accepted from the web UI's own pages\n`);
      const form = new URLSearchParams(await readBody(req, 64 * 1024));
      const query = new URLSearchParams(form.get('query') ?? '');
      if (name === 'saveconfig') saveConfig(settingsFile, form.get('config') ?? '', query);
      else deleteConfig(settingsFile, form.get('config') ?? '');
      cache.clear();
      const back = views[form.get('view') ?? ''] ?? 'flamegraph';
      const q = settingsQuery(query);
      return redirect(res, back + (q === '' ? '' : '?' + q));
    }
    const cfg = configFromQuery(options.config, url.searchParams);
    if (name === 'download') {
      const bytes = await downloadProfile(options.profile, cfg);
      res.setHeader('Content-Disposition', 'attachment; filename="profile.pb.gz"');
      return answer(res, 200, 'application/octet-stream', bytes);
    }
    const view = views[name];
    if (view === undefined) return answer(res, 404, 'text/plain; charset=utf-8', `not found: ${path} (views: flamegraph, top, graph, peek, source, download)\n`);
    const key = view + '?' + [...url.searchParams].sort().map(([k, v]) => `${k}=${v}`).join('&');
    let html = cache.get(key);
    if (html === undefined) {
      const data = await computeView(view, { profile: options.profile, config: cfg, symbol: url.searchParams.get('f') ?? '', generate: { warn: log, cwd: options.cwd } });
      html = renderPage({ ...data, configs: readSavedConfigs(settingsFile) });
      if (cache.size >= pageCacheSize) cache.delete(cache.keys().next().value!);
      cache.set(key, html);
    }
    res.setHeader('Content-Security-Policy', contentSecurityPolicy);
    return answer(res, 200, 'text/html; charset=utf-8', html);
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
  const url = `http://${shownHost}:${bound}/ui/${policy.token !== undefined ? `?token=${policy.token}` : ''}`;
  return {
    url,
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
 * server. A page elsewhere cannot save settings through the user's browser.
 */
function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = req.headers.origin;
  return origin !== undefined && origin === `http://${req.headers.host ?? ''}`;
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
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
