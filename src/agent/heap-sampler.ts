import v8 from 'node:v8';
import { errorMessage } from '../errors.js';
import { HeapSampleTable, type V8HeapProfile } from '../source/v8-heap-profile.js';
import { InspectorSession } from './inspector-session.js';

/** HeapSamplerSettings are the knobs of V8's sampling heap profiler. */
export interface HeapSamplerSettings {
  /** Mean bytes between samples. */
  interval: number;
  stackDepth: number;
  /** Keep samples of collected objects (allocation view) instead of only live ones. */
  allocations: boolean;
}

/** HeapSamplerUnavailableError says heap profiles cannot be served right now (answered as 503). */
export class HeapSamplerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeapSamplerUnavailableError';
  }
}

/** Stacks beyond this many are folded into one pseudo-stack, so a long-lived agent's memory stays bounded. */
export const maxFoldedStacks = 20_000;

/** How often the allocation view hands V8's samples over to the agent's own bounded table. */
export const defaultFoldIntervalMs = 60_000;

const overflowFrame = { functionName: '(stacks beyond the agent limit)', url: '', lineNumber: -1, columnNumber: -1 };

/** startSamplingParams are HeapProfiler.startSampling's parameters for these settings (every thread's sampler). */
export function startSamplingParams(settings: HeapSamplerSettings): object {
  return {
    samplingInterval: settings.interval,
    stackDepth: settings.stackDepth,
    includeObjectsCollectedByMajorGC: settings.allocations,
    includeObjectsCollectedByMinorGC: settings.allocations,
  };
}

/**
 * foldSamples adds the samples of `current` to the agent's own table `folded`,
 * keeping it to `maxStacks` stacks: stacks it already has always fit, new ones
 * while there is room, the rest go to one overflow pseudo-stack.
 */
export function foldSamples(folded: HeapSampleTable, current: HeapSampleTable, maxStacks: number): void {
  folded.inferredSamples += current.inferredSamples;
  for (const stack of current.stacks.values()) {
    const fits = folded.stacks.size < maxStacks || folded.has(stack.frames);
    for (const [size, count] of stack.samplesBySize) folded.add(fits ? stack.frames : [overflowFrame], size, count);
  }
}

/**
 * samplerView is what a sampler serves: V8's current samples and, in the
 * allocation view, everything folded before them.
 */
export function samplerView(profile: V8HeapProfile, settings: HeapSamplerSettings, folded: HeapSampleTable): HeapSampleTable {
  const current = HeapSampleTable.fromV8(profile, settings.interval);
  if (!settings.allocations) return current;
  const all = new HeapSampleTable();
  all.addTable(folded);
  all.addTable(current);
  return all;
}

/**
 * HeapRead says what a read does about garbage:
 * - `collect`: only live objects (the inspector's read always runs a full GC first);
 * - `skip`: no forced GC where the runtime allows it, so the read costs no pause;
 *   the profile then also holds objects that died since the last GC, as
 *   @datadog/pprof's heap.profile() does.
 */
export type HeapRead = 'collect' | 'skip';

/** The handle Node 26+'s `v8.startHeapProfile` returns. */
interface V8HeapProfileHandle {
  stop(): string;
}

/**
 * startV8HeapProfile is Node 26+'s `v8.startHeapProfile`, or undefined before.
 * It starts the same sampling heap profiler as the inspector's
 * HeapProfiler.startSampling, but without V8's kSamplingForceGC flag, which the
 * inspector always sets: with it every read of the profile runs a full GC
 * (115–680 ms at 100–500 MB). Reads still go through the inspector's
 * getSamplingProfile (V8 has one sampler per isolate), which then collects
 * nothing unless asked.
 */
type StartV8HeapProfile = (options: { sampleInterval: number; stackDepth: number; forceGC: boolean; includeObjectsCollectedByMajorGC: boolean; includeObjectsCollectedByMinorGC: boolean }) => V8HeapProfileHandle;
const startV8HeapProfile = (v8 as unknown as { startHeapProfile?: StartV8HeapProfile }).startHeapProfile;

/** restartedSamplerError says a sampler another inspector client had stopped was started again (answered as 503). */
export function restartedSamplerError(sampler: string, err: unknown): HeapSamplerUnavailableError {
  return new HeapSamplerUnavailableError(
    `${sampler} had been stopped by another V8 inspector client (${errorMessage(err)}); it is running again, retry later`,
  );
}

/**
 * HeapSampler runs V8's sampling heap profiler for the whole life of the agent.
 *
 * In-use view (default): V8 keeps one sample per sampled live object and drops
 * it, and prunes the empty parts of its tree, when the object is collected; so
 * its memory follows the live heap (about one small record per `interval` bytes
 * in use), whatever the uptime.
 *
 * Allocation view: V8 keeps every sample, which would grow without end. Every
 * fold interval the agent moves V8's samples into its own table keyed by stack
 * (bounded by `maxFoldedStacks`) and restarts V8's sampler, so V8 never holds
 * more than one interval's samples.
 */
export class HeapSampler {
  private running = false;
  private folded = new HeapSampleTable();
  private foldTimer: NodeJS.Timeout | undefined;
  /** Set while the sampler runs through `v8.startHeapProfile` (Node 26+), not the inspector. */
  private handle: V8HeapProfileHandle | undefined;

  constructor(
    readonly settings: HeapSamplerSettings,
    private readonly session: InspectorSession = new InspectorSession(),
    private readonly foldIntervalMs: number = defaultFoldIntervalMs,
    private readonly maxStacks: number = maxFoldedStacks,
  ) {}

  /** readsWithoutGc says whether a `skip` read really skips the full GC (Node 26+), or the runtime forces one. */
  get readsWithoutGc(): boolean {
    return this.handle !== undefined;
  }

  /** Why start() failed, for the heap endpoints' answer. */
  startFailure: string | undefined;

  /** start begins sampling; calling it when running does nothing. Throws when V8 refuses. */
  start(): void {
    if (this.running) return;
    try {
      this.session.call('HeapProfiler.enable');
      this.startV8Sampling();
    } catch (err) {
      this.startFailure = errorMessage(err);
      throw err;
    }
    this.running = true;
    if (this.settings.allocations) {
      this.foldTimer = setInterval(() => {
        try {
          this.fold();
        } catch {
          // A failed fold leaves V8's samples where they are; the next one retries.
        }
      }, this.foldIntervalMs);
      this.foldTimer.unref();
    }
  }

  private startV8Sampling(): void {
    if (startV8HeapProfile) {
      this.handle = startV8HeapProfile({
        sampleInterval: this.settings.interval,
        stackDepth: this.settings.stackDepth,
        forceGC: false,
        includeObjectsCollectedByMajorGC: this.settings.allocations,
        includeObjectsCollectedByMinorGC: this.settings.allocations,
      });
      return;
    }
    this.session.call('HeapProfiler.startSampling', startSamplingParams(this.settings));
  }

  /** stopV8Sampling stops V8's sampler and hands back its final profile. */
  private stopV8Sampling(): V8HeapProfile {
    const handle = this.handle;
    if (handle) {
      this.handle = undefined;
      return JSON.parse(handle.stop()) as V8HeapProfile;
    }
    return this.session.call<{ profile: V8HeapProfile }>('HeapProfiler.stopSampling').profile;
  }

  /** collectGarbage runs a full GC, so the in-use view holds only reachable objects. */
  async collectGarbage(): Promise<void> {
    await this.session.callAsync('HeapProfiler.collectGarbage');
  }

  /** v8Profile returns V8's current sampling profile as V8 reports it. */
  v8Profile(): V8HeapProfile {
    return this.session.call<{ profile: V8HeapProfile }>('HeapProfiler.getSamplingProfile').profile;
  }

  /**
   * samples returns the current view: live objects, or for the allocation view
   * everything allocated since the start (folded plus V8's current samples).
   * It is a `skip` read (see HeapRead): whether V8 collects first depends on
   * how the runtime started the sampler; `read('collect')` always does.
   */
  samples(): HeapSampleTable {
    if (!this.running) {
      throw new HeapSamplerUnavailableError(`heap sampling could not start: ${this.startFailure ?? 'stopped'}`);
    }
    let profile: V8HeapProfile;
    try {
      profile = this.v8Profile();
    } catch (err) {
      // V8 has one sampling heap profiler per process: another inspector client
      // (a debugger, another profiling library) may have stopped it. Start it again.
      this.restartAfterStolen();
      throw restartedSamplerError('the heap sampler', err);
    }
    return samplerView(profile, this.settings, this.folded);
  }

  /**
   * read returns the current view after what `gc` asks: `collect` runs a full
   * GC first where the runtime would not (Node 26+; the inspector's read always
   * does), so the in-use view holds only live objects; the allocation view keeps
   * collected objects anyway and needs no GC.
   */
  async read(gc: HeapRead): Promise<HeapSampleTable> {
    if (gc === 'collect' && this.handle && !this.settings.allocations) await this.collectGarbage();
    return this.samples();
  }

  /** fold moves V8's samples into the agent's bounded table and restarts V8's sampler (allocation view only). */
  fold(): void {
    if (!this.running || !this.settings.allocations) return;
    // stopSampling hands back the final profile. Sampling restarts after the fold, so what the agent
    // allocates to fold (resolving sizes, interning stacks) is never sampled as the app's; the app's own
    // allocations in those few milliseconds, once a minute, go unsampled.
    const profile = this.stopV8Sampling();
    try {
      foldSamples(this.folded, HeapSampleTable.fromV8(profile, this.settings.interval), this.maxStacks);
    } finally {
      this.startV8Sampling();
    }
  }

  /** restartAfterStolen starts V8's sampler again after another client stopped it. */
  private restartAfterStolen(): void {
    if (this.handle) {
      try {
        this.handle.stop();
      } catch {
        // Already stopped by whoever took it.
      }
      this.handle = undefined;
    }
    this.startV8Sampling();
  }

  /** foldedStackCount is how many stacks the agent's own table holds (for tests of boundedness). */
  get foldedStackCount(): number {
    return this.folded.stacks.size;
  }

  /** stop ends sampling and drops all samples. */
  stop(): void {
    if (this.foldTimer) clearInterval(this.foldTimer);
    this.foldTimer = undefined;
    if (!this.running) return;
    this.running = false;
    this.folded = new HeapSampleTable();
    try {
      this.stopV8Sampling();
    } finally {
      this.session.disconnect();
    }
  }
}
