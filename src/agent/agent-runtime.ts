import { AllocationTracking } from './allocation-tracking.js';
import { ErrorLog } from './error-log.js';
import { ExternalSampler } from './external-sampler.js';
import { createAgentFrameNamer } from './frame-namer.js';
import { HeapSampler } from './heap-sampler.js';
import type { ResolvedAgentOptions } from './options.js';
import type { FrameNamer } from '../source/v8-frames.js';
import type { HeapSampleTable } from '../source/v8-heap-profile.js';
import { RequestSignals } from './request-signals.js';
import { WorkGate } from './work-gate.js';
import { noWorkers, type WorkerDirectory, WorkerThreads } from './workers/worker-threads.js';
import { AllocatingCallees } from '../source/heap-stack-lines.js';

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
  /** Each request's abort signal, fed by one listener on `stopping`. */
  requests: RequestSignals;
  /** What this agent's endpoints count between requests (never shared with another agent). */
  state: AgentState;
  /** The sampler of Buffer allocations, when externalSites is on (one per process, shared). */
  external?: ExternalSampler;
  /** The process's worker threads, for `?thread=`. */
  workers: WorkerDirectory;
}

/** AgentState is the per-agent bookkeeping of the endpoints. */
export interface AgentState {
  /** Timed requests (`?seconds=` heap deltas, CPU profiles) waiting now. */
  pendingWaits: number;
  /** Whether a heap snapshot is being taken. */
  snapshotting: boolean;
  /** V8's allocation tracker, on between a watch's two snapshots when it asks (?track=start … ?track=stop). */
  tracking: AllocationTracking;
  /** The last read of the heap sampler, shared by requests arriving within a moment of it. */
  recentHeapRead: { at: number; table: Promise<HeapSampleTable> } | undefined;
  /** Which functions were seen allocating below which callers, for the heap profiles' lines. */
  allocatingCallees: AllocatingCallees;
}


/** createAgentRuntime completes the shared parts with this agent's own request signals and state. */
export function createAgentRuntime(parts: Omit<AgentRuntime, 'requests' | 'state' | 'workers' | 'external'> & { workers?: WorkerDirectory; external?: ExternalSampler }): AgentRuntime {
  return {
    ...parts,
    workers: parts.workers ?? noWorkers,
    requests: new RequestSignals(parts.stopping),
    state: { pendingWaits: 0, snapshotting: false, tracking: new AllocationTracking(), recentHeapRead: undefined, allocatingCallees: new AllocatingCallees() },
  };
}

/**
 * V8 has one sampling heap profiler per process, so every agent and handler in
 * the process shares one HeapSampler; the last one to close stops it.
 */
let shared: { sampler: HeapSampler; workers: WorkerThreads; users: number } | undefined;
/** Likewise the one sampler of Buffer allocations, when some agent asked for it. */
let sharedExternal: { sampler: ExternalSampler; users: number } | undefined;

/** Profile requests allowed to queue for the event loop before 503s. */
const maxQueuedBuilds = 64;

/** OwnedRuntime is an AgentRuntime plus the way to give it back. */
export interface OwnedRuntime {
  runtime: AgentRuntime;
  /** release aborts pending waits and stops the heap sampler when nobody else uses it. */
  release(): void;
}

/** acquireAgentRuntime starts (or joins) the heap sampler and sets up what the endpoints share. */
export function acquireAgentRuntime(options: ResolvedAgentOptions): OwnedRuntime {
  const errors = new ErrorLog(options.log);
  if (!shared) {
    const sampler = new HeapSampler({
      interval: options.heapSamplingInterval,
      stackDepth: options.heapStackDepth,
      allocations: options.allocationSampling,
    });
    try {
      sampler.start();
    } catch (err) {
      // CPU profiles and the rest still work; the heap endpoints answer 503 with the reason.
      errors.report('heap sampler', err);
    }
    // Worker threads get samplers of the same settings; the main thread's endpoints work without them.
    const workers = new WorkerThreads(sampler.settings, (context, err) => errors.report(context, err));
    try {
      workers.start();
    } catch (err) {
      errors.report('attaching to worker threads', err);
    }
    shared = { sampler, workers, users: 0 };
  } else {
    const s = shared.sampler.settings;
    if (s.interval !== options.heapSamplingInterval || s.allocations !== options.allocationSampling) {
      errors.report('heap sampler', new Error('already running in this process with other settings; keeping them'));
    }
  }
  shared.users++;
  const { sampler, workers } = shared;
  if (options.externalSites) {
    sharedExternal ??= { sampler: new ExternalSampler(options.heapSamplingInterval), users: 0 };
    sharedExternal.users++;
    sharedExternal.sampler.start();
  }
  const external = options.externalSites ? sharedExternal!.sampler : undefined;
  const stopping = new AbortController();
  let released = false;
  const runtime = createAgentRuntime({
    options,
    heap: sampler,
    namer: createAgentFrameNamer(options.appRoot),
    errors,
    gate: new WorkGate(maxQueuedBuilds),
    stopping: stopping.signal,
    workers,
    ...(external ? { external } : {}),
  });
  return {
    runtime,
    release() {
      if (released) return;
      released = true;
      stopping.abort();
      // Allocation tracking costs the host: it never outlives the agent that started it.
      runtime.state.tracking.cancel();
      if (external && sharedExternal?.sampler === external && --sharedExternal.users === 0) {
        sharedExternal = undefined;
        external.stop();
      }
      if (shared && shared.sampler === sampler && --shared.users === 0) {
        shared = undefined;
        workers.stop();
        try {
          sampler.stop();
        } catch (err) {
          errors.report('stopping the heap sampler', err);
        }
      }
    },
  };
}
