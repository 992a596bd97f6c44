/**
 * AttachedAgent makes a process that runs no agent look like one to the rest
 * of tsprof: a loopback HTTP server in the tsprof process answers the agent's
 * `/debug/pprof/heap` and `/debug/pprof/heapsnapshot` from the target's
 * inspector, so `tsprof watch PID` runs the same watch as `tsprof watch URL`.
 * It listens on 127.0.0.1 only, behind a random bearer token, and lives only
 * as long as the watch.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createAgentFrameNamer } from '../agent/frame-namer.js';
import { errorMessage } from '../errors.js';
import { formatProcessMemory } from '../profile/process-memory.js';
import type { FrameNamer } from '../source/v8-frames.js';
import { heapCallLines } from '../agent/heap-call-lines.js';
import { HeapSampleTable, heapTableToPprof } from '../source/v8-heap-profile.js';
import { closeInspector, inspectTarget, openInspector, type OpenedInspector } from './open-inspector.js';
import { readRemoteHeapSampling, remoteHeapFigures, startRemoteHeapSampling, streamRemoteSnapshot } from './remote-profiles.js';

/** The share of the heap limit above which the snapshot endpoint refuses: a snapshot needs memory of its own. */
export const snapshotSafeShare = 0.6;

/** AttachedAgent is the running stand-in: where to reach it, and how to end it (closing the target's inspector). */
export interface AttachedAgent {
  url: string;
  token: string;
  opened: OpenedInspector;
  close(): Promise<string>;
}

/** AttachedAgentOptions are the heap sampler's settings and where to say what is done to the target. */
export interface AttachedAgentOptions {
  sampleInterval: number;
  say: (line: string) => void;
}

/**
 * remoteHeapPprof reads the target's sampled in-use heap (after a full GC) and
 * converts it to pprof, as the agent's /debug/pprof/heap does.
 */
export async function remoteHeapPprof(opened: OpenedInspector, options: { interval: number; namer: FrameNamer; startedAt: number; stop: boolean }): Promise<Uint8Array> {
  const profile = await readRemoteHeapSampling(opened.client, options.stop);
  const memory = await remoteHeapFigures(opened.client);
  return heapTableToPprof(HeapSampleTable.fromV8(profile, options.interval), {
    kind: 'inuse',
    interval: options.interval,
    namer: options.namer,
    callLines: heapCallLines(),
    timeNanos: Date.now() * 1e6,
    durationNanos: (Date.now() - options.startedAt) * 1e6,
    comments: [
      `taken by tsprof attach from process ${opened.target.pid} (Node ${opened.nodeVersion})`,
      `in-use memory of the allocations sampled since ${new Date(options.startedAt).toISOString()}: V8 samples only from when sampling starts`,
      formatProcessMemory(memory),
    ],
  }).encode();
}

/** startAttachedAgent attaches to pid, starts heap sampling there, and serves it as an agent on loopback. */
export async function startAttachedAgent(pid: number, options: AttachedAgentOptions): Promise<AttachedAgent> {
  const target = await inspectTarget(pid);
  const opened = await openInspector(target, options.say);
  const namer = createAgentFrameNamer(target.cwd);
  const startedAt = Date.now();
  try {
    await startRemoteHeapSampling(opened.client, options.sampleInterval);
  } catch (err) {
    await closeInspector(opened).catch(() => undefined);
    throw err;
  }
  options.say(`started V8's sampling heap profiler in process ${pid} (every ${options.sampleInterval} bytes on average)`);
  const token = randomBytes(18).toString('base64url');
  // One inspector command sequence at a time: a snapshot and a heap read must not interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => fail(res, 500, `tsprof attach: ${errorMessage(err)}`));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${token}`) return fail(res, 401, 'tsprof attach: missing or wrong token');
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/debug/pprof/heap') {
      const body = gzipSync(await serialized(() => remoteHeapPprof(opened, { interval: options.sampleInterval, namer, startedAt, stop: false })));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
      res.end(body);
      return;
    }
    if (path === '/debug/pprof/heapsnapshot') {
      await serialized(async () => {
        const figures = await remoteHeapFigures(opened.client);
        if (figures.heapUsed > snapshotSafeShare * figures.heapLimit) {
          return fail(res, 503, `tsprof attach: process ${pid} uses ${figures.heapUsed} of its ${figures.heapLimit}-byte heap limit: too close for a safe snapshot`);
        }
        options.say(`taking a heap snapshot: process ${pid} pauses while V8 writes it`);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        await streamRemoteSnapshot(opened.client, res);
        res.end();
      });
      return;
    }
    fail(res, 404, `tsprof attach: no ${path} here (only /debug/pprof/heap and /debug/pprof/heapsnapshot)`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/debug/pprof/heap`,
    token,
    opened,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await serialized(() => opened.client.send('HeapProfiler.stopSampling')).catch(() => undefined);
      return closeInspector(opened);
    },
  };
}

function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message + '\n');
}
