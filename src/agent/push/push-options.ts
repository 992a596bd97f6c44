import { basename, extname } from 'node:path';
import { TsprofError } from '../../errors.js';
import type { HttpPost } from '../../fetch/http-post.js';

/** PushOptions configure uploads to a Grafana Pyroscope server (`startAgent({ push })`). */
export interface PushOptions {
  /** The server's base URL, e.g. `http://pyroscope:4040` (env TSPROF_PUSH_URL). */
  url: string;
  /** The service name Pyroscope files the profiles under (env TSPROF_SERVICE_NAME, else the main script's name). */
  serviceName?: string;
  /** Labels of every profile of this process, e.g. `{ region: 'eu-west-1' }` (env TSPROF_LABELS=k=v,k=v). */
  labels?: Record<string, string>;
  /** Seconds between uploads (env TSPROF_PUSH_INTERVAL: `15s`, `1m` or a number of seconds; default 15). */
  intervalSeconds?: number;
  /**
   * Seconds between heap profiles (env TSPROF_PUSH_HEAP_INTERVAL; default: every push interval). Rounded to
   * a whole number of push intervals. Each heap read forces a full GC in V8 (its inspector always asks for
   * one): about 0.9 ms per MB of heap, so on large heaps space them out (see BENCHMARKS.md).
   */
  heapIntervalSeconds?: number;
  /** Sent as `Authorization: Bearer` (env TSPROF_PUSH_TOKEN). */
  token?: string;
  /** Basic auth, e.g. Grafana Cloud's user id and API token (env TSPROF_PUSH_USER, TSPROF_PUSH_PASSWORD). */
  user?: string;
  password?: string;
  /** Sent as `X-Scope-OrgID` to a multi-tenant server (env TSPROF_TENANT). */
  tenant?: string;
  /** Profiles kept while the server cannot take them, oldest dropped first (default 40: 5 minutes at 15 s). */
  maxQueuedProfiles?: number;
  /** Bytes of gzipped profiles kept while the server cannot take them (default 16 MiB). */
  maxQueuedBytes?: number;
  /** Longest one upload may take before it counts as failed (default: the interval, from 5 s to 30 s). */
  requestTimeoutMs?: number;
  /** Wait after the first failed upload, doubling up to maxBackoffMs, with jitter (defaults 1 s and 60 s). */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** The upload seam (tests pass a fake); default node:http(s). */
  http?: HttpPost;
}

/** ResolvedPushOptions are PushOptions checked, with defaults and the agent's own labels. */
export interface ResolvedPushOptions {
  url: URL;
  serviceName: string;
  /** The labels sent with every profile: the runtime's, then the user's (which win). */
  labels: Record<string, string>;
  intervalMs: number;
  /** A heap profile every this many intervals (1: every one). */
  heapEveryIntervals: number;
  headers: Record<string, string>;
  maxQueuedProfiles: number;
  maxQueuedBytes: number;
  requestTimeoutMs: number;
  firstBackoffMs: number;
  maxBackoffMs: number;
  http: HttpPost | undefined;
}

/** The version the agent reports in `otel.scope.version` (kept in step with package.json by a test). */
export const tsprofVersion = '0.1.0';

/** isPyroscopeLabelName says whether Pyroscope's label-set parser accepts name as a label name. */
export function isPyroscopeLabelName(name: string): boolean {
  return /^[A-Za-z0-9_.]+$/.test(name) && name !== '__name__';
}

/** isPyroscopeServiceName says whether Pyroscope accepts name as a service (application) name. */
export function isPyroscopeServiceName(name: string): boolean {
  return /^[A-Za-z0-9_./-]+$/.test(name);
}

/** parsePushInterval reads `15s`, `2m`, `500ms` or a bare number of seconds; undefined when empty. */
export function parsePushInterval(text: string, name = 'TSPROF_PUSH_INTERVAL'): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(t);
  if (!match) throw new TsprofError(`tsprof agent: ${name} ${JSON.stringify(text)} is not a duration such as 15s or 1m`);
  const n = Number(match[1]);
  return match[2] === 'ms' ? n / 1000 : match[2] === 'm' ? n * 60 : n;
}

/** parseLabelList reads `k=v,k=v` (TSPROF_LABELS) into an object. */
export function parseLabelList(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new TsprofError(`tsprof agent: TSPROF_LABELS entry ${JSON.stringify(part)} is not key=value`);
    labels[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return labels;
}

/** checkLabels throws a TsprofError naming the first label Pyroscope would refuse or misread. */
export function checkLabels(labels: Record<string, string>, what: string): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!isPyroscopeLabelName(key)) {
      throw new TsprofError(`tsprof agent: ${what} name ${JSON.stringify(key)} is not allowed: use letters, digits, _ and .`);
    }
    if (typeof value !== 'string' || value.trim() === '' || /[,{}=\n]/.test(value)) {
      throw new TsprofError(`tsprof agent: ${what} ${key} has value ${JSON.stringify(value)}: it must be non-empty, without , { } = or newlines`);
    }
  }
}

/** defaultServiceName is the main script's name without extension, made acceptable to Pyroscope. */
function defaultServiceName(): string {
  const main = process.argv[1];
  const name = main ? basename(main, extname(main)) : 'node';
  return name.replace(/[^A-Za-z0-9_./-]/g, '_') || 'node';
}

function bounded(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new TsprofError(`tsprof agent: ${name} must be from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * resolvePushOptions applies the environment to the push options; undefined
 * when pushing is not configured (no `push` option and no TSPROF_PUSH_URL).
 * Every problem is a TsprofError naming the setting.
 */
export function resolvePushOptions(options: PushOptions | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedPushOptions | undefined {
  const urlText = options?.url ?? (env.TSPROF_PUSH_URL || undefined);
  if (urlText === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new TsprofError(`tsprof agent: push URL ${JSON.stringify(urlText)} is not a URL such as http://pyroscope:4040`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TsprofError(`tsprof agent: push URL ${JSON.stringify(urlText)} must be http: or https:`);
  }
  const serviceName = options?.serviceName ?? (env.TSPROF_SERVICE_NAME || defaultServiceName());
  if (!isPyroscopeServiceName(serviceName)) {
    throw new TsprofError(`tsprof agent: service name ${JSON.stringify(serviceName)} is not allowed: use letters, digits and _ . / -`);
  }
  const userLabels = options?.labels ?? parseLabelList(env.TSPROF_LABELS ?? '');
  checkLabels(userLabels, 'label');
  const intervalSeconds = bounded('the push interval (seconds)', options?.intervalSeconds ?? parsePushInterval(env.TSPROF_PUSH_INTERVAL ?? ''), 15, 1, 3600);
  const heapIntervalSeconds = bounded(
    'the heap push interval (seconds)',
    options?.heapIntervalSeconds ?? parsePushInterval(env.TSPROF_PUSH_HEAP_INTERVAL ?? '', 'TSPROF_PUSH_HEAP_INTERVAL'),
    intervalSeconds,
    intervalSeconds,
    86_400,
  );
  const token = options?.token ?? (env.TSPROF_PUSH_TOKEN || undefined);
  const user = options?.user ?? (env.TSPROF_PUSH_USER || undefined);
  const password = options?.password ?? (env.TSPROF_PUSH_PASSWORD || undefined);
  const tenant = options?.tenant ?? (env.TSPROF_TENANT || undefined);
  if (token !== undefined && user !== undefined) {
    throw new TsprofError('tsprof agent: set either a push token (TSPROF_PUSH_TOKEN) or a user and password (TSPROF_PUSH_USER/PASSWORD), not both');
  }
  if ((user === undefined) !== (password === undefined)) {
    throw new TsprofError('tsprof agent: basic auth for push needs both TSPROF_PUSH_USER and TSPROF_PUSH_PASSWORD');
  }
  if (url.username || url.password) {
    throw new TsprofError('tsprof agent: put push credentials in TSPROF_PUSH_USER/PASSWORD, not in the URL');
  }
  const headers: Record<string, string> = { 'user-agent': `tsprof/${tsprofVersion}` };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (user !== undefined) headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  if (tenant !== undefined) headers['x-scope-orgid'] = tenant;
  // As the official Node SDK: the runtime and the collector, unless the user names them.
  const labels: Record<string, string> = {
    'otel.scope.name': 'tsprof',
    'otel.scope.version': tsprofVersion,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    ...userLabels,
  };
  return {
    url,
    serviceName,
    labels,
    intervalMs: Math.round(intervalSeconds * 1000),
    heapEveryIntervals: Math.max(1, Math.round(heapIntervalSeconds / intervalSeconds)),
    headers,
    maxQueuedProfiles: bounded('maxQueuedProfiles', options?.maxQueuedProfiles, 40, 1, 10_000),
    maxQueuedBytes: bounded('maxQueuedBytes', options?.maxQueuedBytes, 16 * 1024 * 1024, 1024, 2 ** 30),
    requestTimeoutMs: bounded('requestTimeoutMs', options?.requestTimeoutMs, Math.min(30_000, Math.max(5000, intervalSeconds * 1000)), 10, 600_000),
    firstBackoffMs: bounded('firstBackoffMs', options?.firstBackoffMs, 1000, 1, 3_600_000),
    maxBackoffMs: bounded('maxBackoffMs', options?.maxBackoffMs, 60_000, 1, 3_600_000),
    http: options?.http,
  };
}
