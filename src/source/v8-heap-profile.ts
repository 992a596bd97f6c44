import type { Profile } from 'pprof-format';
import type { FrameNamer, V8CallFrame } from './v8-frames.js';
import { PprofBuilder, type ValueTypeName } from './v8-pprof-builder.js';

/** V8HeapNode is a node of V8's SamplingHeapProfile tree (HeapProfiler domain, .heapprofile files). */
export interface V8HeapNode {
  callFrame: V8CallFrame;
  selfSize: number;
  id: number;
  children: V8HeapNode[];
}

/** V8HeapProfile is V8's SamplingHeapProfile; `samples` is absent in some older exports. */
export interface V8HeapProfile {
  head: V8HeapNode;
  samples?: { size: number; nodeId: number; ordinal: number }[];
}

/** HeapStack is one allocation stack with its sampled allocations counted per object size. */
export interface HeapStack {
  /** Frames from the leaf (allocating function) to the outermost caller. */
  frames: V8CallFrame[];
  /** Object size in bytes → number of samples of that size (may be negative in a delta). */
  samplesBySize: Map<number, number>;
  /**
   * Bytes known only as a sum (profiles without per-sample sizes): reported
   * unscaled, with no object count.
   */
  unsizedBytes: number;
}

function frameKey(f: V8CallFrame): string {
  return `${f.functionName}\u0001${f.url}\u0001${f.lineNumber}\u0001${f.columnNumber}`;
}

/**
 * HeapSampleTable holds sampled heap allocations keyed by stack. It is the
 * common currency of the heap endpoints: built from V8 profiles, added and
 * subtracted (deltas, cumulative allocation folding), then encoded as pprof.
 */
export class HeapSampleTable {
  readonly stacks = new Map<string, HeapStack>();

  /** fromV8 collects the samples of one V8 profile by stack. */
  static fromV8(profile: V8HeapProfile): HeapSampleTable {
    const table = new HeapSampleTable();
    const byNode = new Map<number, { key: string; frames: V8CallFrame[] }>();
    // Walk iteratively: stacks can be deep and the agent must never overflow the host's stack.
    const pending: { node: V8HeapNode; parentKey: string; parentFrames: V8CallFrame[] }[] = [];
    for (const child of profile.head.children ?? []) pending.push({ node: child, parentKey: '', parentFrames: [] });
    while (pending.length > 0) {
      const { node, parentKey, parentFrames } = pending.pop()!;
      const key = parentKey + '\u0002' + frameKey(node.callFrame);
      const frames = [node.callFrame, ...parentFrames];
      byNode.set(node.id, { key, frames });
      if (!profile.samples && node.selfSize > 0) table.entry(key, frames).unsizedBytes += node.selfSize;
      for (const child of node.children ?? []) pending.push({ node: child, parentKey: key, parentFrames: frames });
    }
    for (const sample of profile.samples ?? []) {
      const at = byNode.get(sample.nodeId);
      if (at) table.add(at.key, at.frames, sample.size, 1);
    }
    return table;
  }

  private entry(key: string, frames: V8CallFrame[]): HeapStack {
    let stack = this.stacks.get(key);
    if (!stack) {
      stack = { frames, samplesBySize: new Map(), unsizedBytes: 0 };
      this.stacks.set(key, stack);
    }
    return stack;
  }

  /** add counts `count` samples of `size` bytes at the stack `key`. */
  add(key: string, frames: V8CallFrame[], size: number, count: number): void {
    const bySize = this.entry(key, frames).samplesBySize;
    bySize.set(size, (bySize.get(size) ?? 0) + count);
  }

  /** addTable adds every sample of other, times sign (−1 subtracts, for deltas). */
  addTable(other: HeapSampleTable, sign: 1 | -1 = 1): void {
    for (const [key, stack] of other.stacks) {
      for (const [size, count] of stack.samplesBySize) this.add(key, stack.frames, size, sign * count);
      if (stack.unsizedBytes !== 0) this.entry(key, stack.frames).unsizedBytes += sign * stack.unsizedBytes;
    }
  }

  /** sampleCount is the number of samples held (absolute values, so deltas count too). */
  get sampleCount(): number {
    let n = 0;
    for (const stack of this.stacks.values()) for (const c of stack.samplesBySize.values()) n += Math.abs(c);
    return n;
  }
}

/**
 * unsampledEstimate turns `count` samples of objects of `size` bytes into an
 * estimate of the real number of objects and bytes.
 *
 * Why this math: V8's sampling heap profiler is a Poisson process over the
 * stream of allocated bytes. The distance to the next sample point is drawn from
 * an exponential distribution with mean `interval`, so an allocation of `size`
 * bytes contains at least one sample point (and is recorded, once) with
 * probability p = 1 − e^(−size/interval). Each recorded object therefore stands
 * for 1/p objects of that size on average (the Horvitz–Thompson estimator,
 * unbiased): objects ≈ count / p and bytes ≈ objects × size. For small objects
 * p ≈ size/interval, so each sample stands for about `interval` bytes; objects
 * much larger than the interval are almost surely recorded and count once. Go's
 * runtime scales its MemProfileRate samples the same way.
 */
export function unsampledEstimate(count: number, size: number, interval: number): { objects: number; bytes: number } {
  if (size <= 0) return { objects: count, bytes: 0 };
  if (interval <= 0) return { objects: count, bytes: count * size };
  const p = -Math.expm1(-size / interval);
  const objects = count / p;
  return { objects: Math.round(objects), bytes: Math.round(objects * size) };
}

/** HeapPprofOptions selects what the heap pprof profile holds. */
export interface HeapPprofOptions {
  /** 'inuse' for live objects (inuse_objects, inuse_space), 'alloc' for all allocations. */
  kind: 'inuse' | 'alloc';
  /** The sampler's mean interval in bytes (pprof's period). */
  interval: number;
  namer: FrameNamer;
  timeNanos?: number;
  durationNanos?: number;
  defaultSampleType?: string;
  comments?: string[];
  mainFile?: string;
}

/** heapTableToPprof encodes a HeapSampleTable as a pprof Profile with scaled values. */
export function heapTableToPprof(table: HeapSampleTable, options: HeapPprofOptions): Profile {
  const sampleTypes: ValueTypeName[] =
    options.kind === 'inuse'
      ? [['inuse_objects', 'count'], ['inuse_space', 'bytes']]
      : [['alloc_objects', 'count'], ['alloc_space', 'bytes']];
  const builder = new PprofBuilder({
    sampleTypes,
    periodType: ['space', 'bytes'],
    period: options.interval,
    timeNanos: options.timeNanos,
    durationNanos: options.durationNanos,
    defaultSampleType: options.defaultSampleType,
    comments: options.comments,
    mainFile: options.mainFile,
  });
  for (const stack of table.stacks.values()) {
    let locationIds: number[] | undefined;
    const locations = () => (locationIds ??= stack.frames.map((f) => builder.locationId(options.namer(f, undefined))));
    for (const [size, count] of stack.samplesBySize) {
      if (count === 0) continue;
      const { objects, bytes } = unsampledEstimate(count, size, options.interval);
      builder.addSample(locations(), [objects, bytes], { bytes: [size, 'bytes'] });
    }
    if (stack.unsizedBytes !== 0) builder.addSample(locations(), [0, stack.unsizedBytes]);
  }
  return builder.build();
}
