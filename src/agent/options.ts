import { isIP } from 'node:net';
import { TsprofError } from '../errors.js';
import { type PushOptions, type ResolvedPushOptions, resolvePushOptions } from './push/push-options.js';
import { type AgentTlsOptions, type ResolvedTls, resolveAgentTls } from './tls-options.js';

/** AgentOptions configure the agent; every field is optional and has a safe default. */
export interface AgentOptions {
  /** `host:port` to listen on (default env TSPROF_ADDR, else `127.0.0.1:6060`); port 0 picks a free port. */
  address?: string;
  /** Bearer token clients must send (default env TSPROF_TOKEN); required for non-loopback addresses. */
  token?: string;
  /** Mean bytes between heap samples (default env TSPROF_HEAP_INTERVAL, else 512 KiB, as Go's MemProfileRate). */
  heapSamplingInterval?: number;
  /** Deepest stack the heap sampler records (default 64). */
  heapStackDepth?: number;
  /**
   * Keep samples of collected objects too, for alloc_objects/alloc_space (env TSPROF_ALLOCS=1).
   * V8's one sampling heap profiler cannot then tell live objects from dead ones,
   * so in this mode the heap endpoints serve allocations, not the in-use view.
   */
  allocationSampling?: boolean;
  /** CPU sampling interval in microseconds (default env TSPROF_CPU_INTERVAL, else 10000: 100 Hz as Go). */
  cpuSamplingInterval?: number;
  /** Longest `?seconds=` a client may ask for (default 300). */
  maxProfileSeconds?: number;
  /** Serve /debug/pprof/heapsnapshot, which returns heap contents (default env TSPROF_HEAP_SNAPSHOTS=1, else off). */
  heapSnapshots?: boolean;
  /**
   * Sample the Buffers and ArrayBuffers the app allocates (memory outside the V8
   * heap) with their stacks, served at /debug/pprof/external, so a leak of them
   * has an allocation site (default env TSPROF_EXTERNAL_SITES=1, else off: it
   * wraps Buffer's factories; the cost is in BENCHMARKS.md).
   */
  externalSites?: boolean;
  /** Root of the app: file paths under it are reported relative to it (default process.cwd()). */
  appRoot?: string;
  /** Where the agent reports its own errors, each distinct one once (default: stderr). */
  log?: (line: string) => void;
  /** Upload CPU and heap profiles to Grafana Pyroscope every interval (default from env TSPROF_PUSH_URL and friends). */
  push?: PushOptions;
  /**
   * Keep V8's CPU profiler alive between profiles (env TSPROF_CONTINUOUS=1; on while pushing): CPU profile
   * requests then start without V8's heap walk and run side by side (several collectors get no 409).
   */
  continuous?: boolean;
  /**
   * Tag CPU samples with the labels of withLabels() (env TSPROF_REQUEST_LABELS=1; default off: it
   * costs an async hook on every callback, measured in BENCHMARKS.md).
   */
  requestLabels?: boolean;
  /** Also label every node:http request (Express, Fastify) by method and route (env TSPROF_HTTP_LABELS=1; implies requestLabels). */
  httpRouteLabels?: boolean;
  /** Serve HTTPS with this certificate and key (default env TSPROF_TLS_CERT and TSPROF_TLS_KEY, file paths). */
  tls?: AgentTlsOptions;
}

/** ResolvedAgentOptions are AgentOptions with every default applied and every value checked. */
export interface ResolvedAgentOptions {
  host: string;
  port: number;
  token: string | undefined;
  heapSamplingInterval: number;
  heapStackDepth: number;
  allocationSampling: boolean;
  cpuSamplingInterval: number;
  maxProfileSeconds: number;
  heapSnapshots: boolean;
  externalSites: boolean;
  appRoot: string;
  log: (line: string) => void;
  push: ResolvedPushOptions | undefined;
  continuous: boolean;
  tls: ResolvedTls | undefined;
  requestLabels: boolean;
  httpRouteLabels: boolean;
}

/** defaultAgentAddress is where the agent listens unless told otherwise: loopback only. */
export const defaultAgentAddress = '127.0.0.1:6060';

function flag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return /^(1|true|yes|on)$/i.test(value);
}

function positiveInteger(name: string, value: number | string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > max) {
    throw new TsprofError(`tsprof agent: ${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** parseAgentAddress splits `host:port` (IPv6 as `[::1]:6060`) and checks both parts. */
export function parseAgentAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new TsprofError(`tsprof agent: address ${JSON.stringify(address)} is not host:port (e.g. 127.0.0.1:6060)`);
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** isLoopbackHost tells whether only this machine can reach host. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return /^::ffff:127\./i.test(host);
}

/**
 * resolveAgentOptions applies the environment and the defaults and enforces the
 * security rule: an address other machines can reach needs a token.
 */
export function resolveAgentOptions(options: AgentOptions, env: NodeJS.ProcessEnv = process.env): ResolvedAgentOptions {
  const { host, port } = parseAgentAddress(options.address ?? (env.TSPROF_ADDR || defaultAgentAddress));
  const token = options.token ?? (env.TSPROF_TOKEN || undefined);
  if (token !== undefined && (token.length < 8 || /\s/.test(token))) {
    throw new TsprofError('tsprof agent: the token must be at least 8 characters without spaces');
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new TsprofError(
      `tsprof agent: refusing to listen on ${host}:${port} without a token, as profiles reveal code and data; set TSPROF_TOKEN (or the token option), or use 127.0.0.1`,
    );
  }
  const push = resolvePushOptions(options.push, env);
  const httpRouteLabels = options.httpRouteLabels ?? flag(env.TSPROF_HTTP_LABELS) ?? false;
  return {
    host,
    port,
    token,
    heapSamplingInterval: positiveInteger('heapSamplingInterval', options.heapSamplingInterval ?? env.TSPROF_HEAP_INTERVAL, 512 * 1024, 2 ** 30),
    heapStackDepth: positiveInteger('heapStackDepth', options.heapStackDepth, 64, 1024),
    allocationSampling: options.allocationSampling ?? flag(env.TSPROF_ALLOCS) ?? false,
    cpuSamplingInterval: positiveInteger('cpuSamplingInterval', options.cpuSamplingInterval ?? env.TSPROF_CPU_INTERVAL, 10_000, 1_000_000),
    maxProfileSeconds: positiveInteger('maxProfileSeconds', options.maxProfileSeconds, 300, 86_400),
    heapSnapshots: options.heapSnapshots ?? flag(env.TSPROF_HEAP_SNAPSHOTS) ?? false,
    externalSites: options.externalSites ?? flag(env.TSPROF_EXTERNAL_SITES) ?? false,
    appRoot: options.appRoot ?? process.cwd(),
    log: options.log ?? ((line) => process.stderr.write(line + '\n')),
    push,
    continuous: push !== undefined || (options.continuous ?? flag(env.TSPROF_CONTINUOUS) ?? false),
    tls: resolveAgentTls(options.tls, env),
    requestLabels: httpRouteLabels || (options.requestLabels ?? flag(env.TSPROF_REQUEST_LABELS) ?? false),
    httpRouteLabels,
  };
}
