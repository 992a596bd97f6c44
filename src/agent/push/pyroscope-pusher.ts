import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { errorMessage } from '../../errors.js';
import { createNodeHttpPost, type HttpPost } from '../../fetch/http-post.js';
import { HeapSampleTable, heapTableToPprof } from '../../source/v8-heap-profile.js';
import type { PprofBuilder } from '../../source/v8-pprof-builder.js';
import type { AgentRuntime } from '../agent-runtime.js';
import { ContinuousCpuProfiler } from '../continuous/continuous-cpu-profiler.js';
import { agentCpuPprof } from '../cpu-pprof.js';
import { agentHeapLines } from '../heap-call-lines.js';
import type { CpuProfileResult } from '../cpu-profile-result.js';
import { type IngestMetadata, ingestUrl, profileForm } from './ingest-request.js';
import type { ResolvedPushOptions } from './push-options.js';
import { type Upload, UploadQueue, UploadRejectedError, type UploadQueueStats } from './upload-queue.js';

const gzipAsync = promisify(gzip);

/** How long stop() waits for the last profiles to reach the server (default). */
export const defaultPushFlushMs = 5000;

/**
 * PyroscopePusher uploads, every interval, the CPU profile of that interval and
 * a heap profile to a Grafana Pyroscope server's `/ingest`. The CPU profiler
 * stays alive across intervals (ContinuousCpuProfiler), so a boundary costs
 * milliseconds, not a heap walk. Uploads go through a bounded UploadQueue.
 * Nothing here throws into the host: failures are logged once.
 */
export class PyroscopePusher {
  private readonly cpu: ContinuousCpuProfiler;
  private readonly queue: UploadQueue;
  private readonly http: HttpPost & { close?(): void };
  private timer: NodeJS.Timeout | undefined;
  private boundary: Promise<void> | undefined;
  private previousAllocations: HeapSampleTable | undefined;
  private lastBoundaryMs = 0;
  private lastHeapMs = 0;
  private boundaries = 0;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly runtime: AgentRuntime,
    private readonly config: ResolvedPushOptions,
  ) {
    this.cpu = new ContinuousCpuProfiler(runtime.options.cpuSamplingInterval);
    this.http = config.http ?? createNodeHttpPost();
    this.queue = new UploadQueue({
      send: (upload, signal) => this.send(upload, signal),
      maxItems: config.maxQueuedProfiles,
      maxBytes: config.maxQueuedBytes,
      log: runtime.options.log,
      destination: config.url.origin,
      firstBackoffMs: config.firstBackoffMs,
      maxBackoffMs: config.maxBackoffMs,
    });
  }

  /** stats counts the uploads so far. */
  get stats(): UploadQueueStats {
    return this.queue.stats;
  }

  /** start begins profiling and the upload timer (unref'd: it never keeps the host alive). */
  start(): void {
    try {
      this.cpu.start();
    } catch (err) {
      this.runtime.errors.report('push: the CPU profiler could not start; pushing heap profiles only', err);
    }
    this.lastBoundaryMs = Date.now();
    this.lastHeapMs = this.lastBoundaryMs;
    if (this.runtime.heap.settings.allocations) this.previousAllocations = this.readHeap();
    this.timer = setInterval(() => this.onBoundary(false), this.config.intervalMs);
    this.timer.unref();
  }

  private onBoundary(final: boolean): Promise<void> {
    // A boundary still building its profiles (a starved event loop) is not overtaken: this one is skipped.
    if (this.boundary) return this.boundary;
    this.boundary = this.collect(final)
      .catch((err) => this.runtime.errors.report('push', err))
      .finally(() => (this.boundary = undefined));
    return this.boundary;
  }

  /** collect ends the interval: the CPU profile of it and the heap now, built, compressed and queued. */
  private async collect(final: boolean): Promise<void> {
    const fromMs = this.lastBoundaryMs;
    let cpu: CpuProfileResult | undefined;
    if (this.cpu.running) cpu = final ? this.cpu.stop() : this.cpu.rotate();
    const untilMs = Date.now();
    this.lastBoundaryMs = untilMs;
    // The heap every heapEveryIntervals boundaries (each read forces a full GC), and at the last one.
    const heapDue = final || ++this.boundaries % this.config.heapEveryIntervals === 0;
    const heapFromMs = this.lastHeapMs;
    if (heapDue) this.lastHeapMs = untilMs;
    const heap = heapDue ? this.heapProfile(heapFromMs, untilMs) : Promise.resolve(undefined);
    if (cpu) {
      const pprof = await agentCpuPprof(this.runtime, cpu);
      await this.enqueue('cpu', pprof, { fromMs, untilMs, sampleRate: Math.round(1e6 / this.runtime.options.cpuSamplingInterval) });
    }
    const heapPprof = await heap;
    if (heapPprof) await this.enqueue('heap', heapPprof, { fromMs: heapFromMs, untilMs });
  }

  private readHeap(): HeapSampleTable | undefined {
    try {
      // No forced GC where the runtime allows (Node 26+): a push every 15 s must not pause the service.
      return this.runtime.heap.samples();
    } catch (err) {
      this.runtime.errors.report('push: heap profile', err);
      return undefined;
    }
  }

  /** heapProfile is the in-use heap now, or in allocation mode the allocations of the interval. */
  private async heapProfile(fromMs: number, untilMs: number): Promise<PprofBuilder | undefined> {
    const { heap, gate, namer } = this.runtime;
    return gate.run(() => {
      const table = this.readHeap();
      if (!table) return undefined;
      const allocations = heap.settings.allocations;
      // Lines as the /heap endpoint places them (heap-stack-lines.ts).
      const lines = agentHeapLines(this.runtime);
      if (allocations) {
        // Pyroscope takes alloc_* per interval (as Go's SDK sends them): the change since the last boundary.
        const previous = this.previousAllocations;
        this.previousAllocations = table;
        const delta = new HeapSampleTable();
        delta.addTable(table);
        if (previous) delta.addTable(previous, -1);
        return heapTableToPprof(delta, { kind: 'alloc', interval: heap.settings.interval, namer, timeNanos: fromMs * 1e6, durationNanos: (untilMs - fromMs) * 1e6, mainFile: process.argv[1], ...lines });
      }
      return heapTableToPprof(table, { kind: 'inuse', interval: heap.settings.interval, namer, timeNanos: untilMs * 1e6, mainFile: process.argv[1], ...lines });
    });
  }

  private async enqueue(kind: string, pprof: PprofBuilder, span: Omit<IngestMetadata, 'serviceName' | 'labels'>): Promise<void> {
    const encoded = await this.runtime.gate.run(() => pprof.encode());
    const form = profileForm(await gzipAsync(encoded));
    const url = ingestUrl(this.config.url, { serviceName: this.config.serviceName, labels: this.config.labels, ...span });
    this.queue.enqueue({ url, kind, body: form.body, contentType: form.contentType });
  }

  private async send(upload: Upload, signal: AbortSignal): Promise<void> {
    const timeout = new AbortController();
    const onAbort = () => timeout.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timeoutMs = this.config.requestTimeoutMs;
    const timer = setTimeout(onAbort, timeoutMs);
    timer.unref();
    try {
      let res;
      try {
        res = await this.http({
          url: upload.url,
          headers: { ...this.config.headers, 'content-type': upload.contentType },
          body: upload.body,
          signal: timeout.signal,
        });
      } catch (err) {
        if (timeout.signal.aborted && !signal.aborted) throw new Error(`no answer within ${timeoutMs} ms`);
        const code = (err as NodeJS.ErrnoException).code;
        throw new Error(code === 'ECONNREFUSED' ? 'connection refused' : errorMessage(err));
      }
      if (res.status >= 200 && res.status < 300) return;
      const why = `HTTP ${res.status} ${res.statusText}`.trimEnd() + (res.bodyStart.trim() ? `: ${oneLine(res.bodyStart)}` : '');
      if (res.status === 408 || res.status === 429 || res.status >= 500) throw new Error(why);
      throw new UploadRejectedError(why);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * stop ends profiling, queues the last partial interval and sends what is
   * queued until deadlineMs has passed; then it drops the rest.
   */
  stop(deadlineMs: number = defaultPushFlushMs): Promise<void> {
    this.stopped ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      await this.onBoundary(true);
      if (this.cpu.running) this.cpu.stop();
      await this.queue.close(deadlineMs);
      this.http.close?.();
    })();
    return this.stopped;
  }
}

function oneLine(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? one.slice(0, 120) + '…' : one;
}
