import type { IncomingMessage, ServerResponse } from 'node:http';
import { getHeapSnapshot, getHeapStatistics } from 'node:v8';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { formatProcessMemory } from '../profile/process-memory.js';
import { cpuProfileToPprof } from '../source/v8-cpu-profile.js';
import type { FrameNamer } from '../source/v8-frames.js';
import { HeapSampleTable, heapTableToPprof } from '../source/v8-heap-profile.js';
import type { PprofBuilder } from '../source/v8-pprof-builder.js';
import { bearerTokenMatches } from './bearer-auth.js';
import { CpuProfilerBusyError, takeCpuProfile } from './cpu-profiler.js';
import { inlinedCallRecovery } from './inlined-calls.js';
import type { ErrorLog } from './error-log.js';
import { HeapSamplerUnavailableError, type HeapSampler } from './heap-sampler.js';
import { HttpError } from './http-error.js';
import { indexPage, type ProfileEntry } from './index-page.js';
import type { ResolvedAgentOptions } from './options.js';
import { profileText } from './profile-text.js';
import { flagParam, secondsParam } from './query.js';

const gzipAsync = promisify(gzip);

/** Timed requests (`?seconds=` heap deltas, CPU profiles) allowed to wait at once. */
const maxPendingWaits = 16;

/** AgentRuntime is what the endpoints share: settings, the heap sampler, naming, logging. */
export interface AgentRuntime {
  options: ResolvedAgentOptions;
  heap: HeapSampler;
  namer: FrameNamer;
  errors: ErrorLog;
  /** Runs event-loop-blocking jobs one at a time. */
  gate: { run<T>(job: () => T | Promise<T>): Promise<T> };
  /** Aborted when the agent stops: ends waits for `?seconds=`. */
  stopping: AbortSignal;
}

/** RequestContext is one request as the endpoint handlers see it. */
interface RequestContext {
  runtime: AgentRuntime;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  /** Aborted when the client goes away or the agent stops. */
  signal: AbortSignal;
}

/** Endpoint is one entry of the command table: a name users type and how it is served. */
interface Endpoint extends ProfileEntry {
  available(runtime: AgentRuntime): boolean;
  /** Why it is not available, with the way to turn it on. */
  unavailableReason?: string;
  serve(ctx: RequestContext): Promise<void>;
}

/** Reads of the heap sampler shared by requests arriving within this many milliseconds. */
const sharedReadMs = 250;
const recentReads = new WeakMap<HeapSampler, { at: number; table: Promise<HeapSampleTable> }>();

let pendingWaits = 0;
let snapshotting = false;

/** sleepUnlessAborted waits, ending early (without error) when signal aborts. */
function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function withWaitSlot<T>(job: () => Promise<T>): Promise<T> {
  if (pendingWaits >= maxPendingWaits) {
    throw new HttpError(503, `tsprof agent is busy: ${pendingWaits} timed profiles are running; retry later`, { 'Retry-After': '5' });
  }
  pendingWaits++;
  try {
    return await job();
  } finally {
    pendingWaits--;
  }
}

async function sendProfile(ctx: RequestContext, name: string, profile: PprofBuilder): Promise<void> {
  if (flagParam(ctx.query, 'debug')) {
    const text = await ctx.runtime.gate.run(() => profileText(profile.toProfile(), name));
    // As Go's runtime.MemStats at the end of its heap text: the process's own memory figures.
    sendText(ctx.res, 200, name === 'profile' ? text : text + memoryStatsText());
    return;
  }
  // Encoding blocks; compression runs on the thread pool.
  const encoded = await ctx.runtime.gate.run(() => profile.encode());
  const body = await gzipAsync(encoded);
  ctx.res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${name}"`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': body.length,
  });
  ctx.res.end(body);
}

/** memoryStatsText lists process.memoryUsage() and V8's heap statistics as `# name = value` lines. */
function memoryStatsText(): string {
  const lines = ['# process.memoryUsage()'];
  for (const [key, value] of Object.entries(process.memoryUsage())) lines.push(`# ${key} = ${value}`);
  lines.push('# v8.getHeapStatistics()');
  for (const [key, value] of Object.entries(getHeapStatistics())) lines.push(`# ${key} = ${value}`);
  return lines.join('\n') + '\n';
}

/** sendText answers with a plain-text body (errors, listings, debug text). */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = text.endsWith('\n') ? text : text + '\n';
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

async function serveHeap(ctx: RequestContext, name: 'heap' | 'allocs'): Promise<void> {
  const { runtime, query } = ctx;
  const { heap, options } = runtime;
  const seconds = secondsParam(query, undefined, options.maxProfileSeconds);
  const gc = flagParam(query, 'gc');
  flagParam(query, 'debug'); // checked before a long wait, not after it
  const read = () =>
    runtime.gate.run(async () => {
      if (gc) await heap.collectGarbage();
      return heap.samples();
    });
  const startedAt = Date.now();
  let table: HeapSampleTable;
  if (seconds === undefined && !gc) {
    // Requests arriving together share one read of V8's profile: under a burst of
    // requests the app pays for one read, not one per request.
    const recent = recentReads.get(heap);
    if (recent && startedAt - recent.at < sharedReadMs) {
      table = await recent.table;
    } else {
      const shared = read();
      recentReads.set(heap, { at: startedAt, table: shared });
      shared.catch(() => recentReads.delete(heap));
      table = await shared;
    }
  } else if (seconds === undefined) {
    table = await read();
  } else {
    // As Go: the difference between now and `seconds` from now.
    table = await withWaitSlot(async () => {
      const before = await read();
      await sleepUnlessAborted(seconds * 1000, ctx.signal);
      const after = await read();
      after.addTable(before, -1);
      return after;
    });
  }
  const allocations = heap.settings.allocations;
  const profile = await runtime.gate.run(() =>
    heapTableToPprof(table, {
      kind: allocations ? 'alloc' : 'inuse',
      interval: heap.settings.interval,
      namer: runtime.namer,
      timeNanos: startedAt * 1e6,
      durationNanos: seconds !== undefined ? (Date.now() - startedAt) * 1e6 : undefined,
      defaultSampleType: allocations ? 'alloc_space' : 'inuse_space',
      mainFile: process.argv[1],
      // The memory outside the V8 heap (external strings, Buffers) beside it, for tsprof's watch.
      comments: [formatProcessMemory(process.memoryUsage())],
    }),
  );
  await sendProfile(ctx, name, profile);
}

async function serveCpu(ctx: RequestContext): Promise<void> {
  const { options, namer, gate } = ctx.runtime;
  const seconds = secondsParam(ctx.query, 30, options.maxProfileSeconds)!;
  let result;
  try {
    result = await withWaitSlot(() => takeCpuProfile(seconds, options.cpuSamplingInterval, ctx.signal));
  } catch (err) {
    if (err instanceof CpuProfilerBusyError) throw new HttpError(409, err.message);
    throw err;
  }
  if (ctx.signal.aborted && ctx.res.destroyed) return;
  const { profile, startedAtMs } = result;
  const pprof = await gate.run(() =>
    cpuProfileToPprof(profile, {
      namer,
      intervalMicros: options.cpuSamplingInterval,
      timeNanos: startedAtMs * 1e6,
      mainFile: process.argv[1],
      inlinedCalls: inlinedCallRecovery(),
    }),
  );
  await sendProfile(ctx, 'profile', pprof);
}

async function serveHeapSnapshot(ctx: RequestContext): Promise<void> {
  if (snapshotting) throw new HttpError(409, 'a heap snapshot is already being taken; retry when it is done');
  snapshotting = true;
  try {
    // Taking the snapshot pauses the process (V8 walks the whole heap); streaming it out does not.
    const stream = getHeapSnapshot();
    ctx.res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Disposition': 'attachment; filename="process.heapsnapshot"',
      'X-Content-Type-Options': 'nosniff',
    });
    await new Promise<void>((resolve) => {
      stream.on('error', (err) => {
        ctx.runtime.errors.report('heap snapshot', err);
        ctx.res.destroy();
        resolve();
      });
      ctx.res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(ctx.res);
    });
  } finally {
    snapshotting = false;
  }
}

function cmdline(): string {
  return [process.argv[0] ?? 'node', ...process.execArgv, ...process.argv.slice(1)].join('\x00');
}

/** The agent's command table: every endpoint under the prefix. */
const endpoints: Endpoint[] = [
  {
    name: 'allocs',
    description: 'A sampling of all memory allocations since the agent started (alloc_space by default).',
    linkQuery: '?debug=1',
    available: (rt) => rt.heap.settings.allocations,
    unavailableReason: 'allocation sampling is off; start the agent with allocationSampling: true or TSPROF_ALLOCS=1',
    serve: (ctx) => serveHeap(ctx, 'allocs'),
  },
  {
    name: 'cmdline',
    description: 'The command line of this process, arguments separated by NUL bytes.',
    linkQuery: '',
    available: () => true,
    serve: async (ctx) => sendText(ctx.res, 200, cmdline()),
  },
  {
    name: 'heap',
    description:
      'A sampling of memory allocations of live objects (inuse_space by default). ?gc=1 collects garbage first; ?seconds=N gives the change over N seconds.',
    linkQuery: '?debug=1',
    available: () => true,
    serve: (ctx) => serveHeap(ctx, 'heap'),
  },
  {
    name: 'heapsnapshot',
    description: 'A V8 heap snapshot (.heapsnapshot JSON) of this process: holds heap contents; enabled explicitly.',
    linkQuery: '',
    available: (rt) => rt.options.heapSnapshots,
    unavailableReason: 'heap snapshots are off, as they return heap contents; enable them with heapSnapshots: true or TSPROF_HEAP_SNAPSHOTS=1',
    serve: serveHeapSnapshot,
  },
  {
    name: 'profile',
    description: 'CPU profile. ?seconds=N sets the duration (default 30). One at a time.',
    linkQuery: '?seconds=30',
    available: () => true,
    serve: serveCpu,
  },
];

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
  const aborter = new AbortController();
  const abort = () => aborter.abort();
  res.on('close', abort);
  runtime.stopping.addEventListener('abort', abort, { once: true });
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
      res.end(indexPage(prefix, available));
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
    await endpoint.serve({ runtime, req, res, query, signal: aborter.signal });
  } catch (err) {
    if (err instanceof HttpError) {
      sendText(res, err.status, err.message, err.headers);
    } else if (err instanceof HeapSamplerUnavailableError) {
      sendText(res, 503, `tsprof agent: ${err.message}`, { 'Retry-After': '5' });
    } else {
      runtime.errors.report(`serving ${req.url ?? ''}`, err);
      sendText(res, 500, `tsprof agent: internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
  } finally {
    res.off('close', abort);
    runtime.stopping.removeEventListener('abort', abort);
  }
}
