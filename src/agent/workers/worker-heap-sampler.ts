import { errorMessage } from '../../errors.js';
import { HeapSampleTable, type V8HeapProfile } from '../../source/v8-heap-profile.js';
import {
  defaultFoldIntervalMs,
  foldSamples,
  HeapSamplerUnavailableError,
  type HeapSamplerSettings,
  maxFoldedStacks,
  restartedSamplerError,
  samplerView,
  startSamplingParams,
} from '../heap-sampler.js';
import { type WorkerChannel, WorkerExitedError, WorkerUnresponsiveError } from './worker-channel.js';

/** BuildGate runs a job that blocks the event loop (the agent's WorkGate). */
export interface BuildGate {
  run<T>(job: () => T | Promise<T>): Promise<T>;
}

const directly: BuildGate = { run: async (job) => job() };

/**
 * WorkerHeapSampler is HeapSampler for one worker thread: V8's sampling heap
 * profiler of the worker's isolate, started when the agent attaches to the
 * worker and read through its channel. Same settings as the main thread's, the
 * same table (HeapSampleTable.fromV8, so the same object-size estimator) and,
 * in the allocation view, the same folding into a bounded table. The worker's
 * allocations before the agent attached (its first milliseconds) are not sampled.
 */
export class WorkerHeapSampler {
  private folded = new HeapSampleTable();
  private foldTimer: NodeJS.Timeout | undefined;
  private startFailure: string | undefined;
  /** A fold in progress: V8's sampler is stopped between its two calls. */
  private folding: Promise<void> | undefined;
  private readonly started: Promise<boolean>;

  constructor(
    readonly settings: HeapSamplerSettings,
    private readonly channel: WorkerChannel,
    private readonly foldIntervalMs: number = defaultFoldIntervalMs,
    private readonly maxStacks: number = maxFoldedStacks,
  ) {
    this.started = this.start();
  }

  private async start(): Promise<boolean> {
    try {
      await this.channel.call('HeapProfiler.enable');
      await this.channel.call('HeapProfiler.startSampling', startSamplingParams(this.settings));
    } catch (err) {
      this.startFailure = errorMessage(err);
      return false;
    }
    if (this.settings.allocations && !this.channel.exited) {
      this.foldTimer = setInterval(() => void this.fold().catch(() => undefined), this.foldIntervalMs);
      this.foldTimer.unref();
      this.channel.whenExited(() => clearInterval(this.foldTimer));
    }
    return true;
  }

  /** collectGarbage runs a full GC in the worker. */
  async collectGarbage(): Promise<void> {
    await this.channel.call('HeapProfiler.collectGarbage');
  }

  /**
   * samples returns the worker's current view, as HeapSampler.samples does for
   * the main thread. The worker hands over its profile on its own thread; only
   * building the table blocks this thread, so that part runs through `gate`.
   */
  async samples(gate: BuildGate = directly): Promise<HeapSampleTable> {
    if (!(await this.started)) {
      if (this.channel.exited) throw new WorkerExitedError(this.channel.thread, 'the heap profile');
      throw new HeapSamplerUnavailableError(`heap sampling could not start in the worker: ${this.startFailure}`);
    }
    await this.folding?.catch(() => undefined);
    let profile: V8HeapProfile;
    try {
      ({ profile } = await this.channel.call<{ profile: V8HeapProfile }>('HeapProfiler.getSamplingProfile'));
    } catch (err) {
      if (err instanceof WorkerExitedError || err instanceof WorkerUnresponsiveError) throw err;
      // As on the main thread: another inspector client (a debugger attached to the worker) stopped it.
      await this.channel.call('HeapProfiler.startSampling', startSamplingParams(this.settings)).catch(() => undefined);
      throw restartedSamplerError("the worker's heap sampler", err);
    }
    return gate.run(() => samplerView(profile, this.settings, this.folded));
  }

  /** fold moves the worker's V8 samples into the agent's bounded table and restarts sampling (allocation view only). */
  fold(): Promise<void> {
    this.folding ??= this.foldOnce().finally(() => (this.folding = undefined));
    return this.folding;
  }

  private async foldOnce(): Promise<void> {
    if (!this.settings.allocations || !(await this.started)) return;
    const { profile } = await this.channel.call<{ profile: V8HeapProfile }>('HeapProfiler.stopSampling');
    try {
      foldSamples(this.folded, HeapSampleTable.fromV8(profile, this.settings.interval), this.maxStacks);
    } finally {
      await this.channel.call('HeapProfiler.startSampling', startSamplingParams(this.settings)).catch(() => undefined);
    }
  }

  /** foldedStackCount is how many stacks the agent's own table holds (for tests of boundedness). */
  get foldedStackCount(): number {
    return this.folded.stacks.size;
  }

  /** stop clears the fold timer; the worker's profiler stops with the channel's session. */
  stop(): void {
    if (this.foldTimer) clearInterval(this.foldTimer);
    this.foldTimer = undefined;
    this.folded = new HeapSampleTable();
  }
}
