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
  /** Reported (already scaled) sample size in bytes → number of such samples (negative in a delta). */
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
 * unsampledEstimate turns `count` protocol samples reporting `reported` bytes
 * each into an estimate of the real number of objects and bytes.
 *
 * Why this math: V8's sampling heap profiler is a Poisson process over the
 * stream of allocated bytes. The distance to the next sample point is drawn from
 * an exponential distribution with mean `interval` (I), so an object of s bytes
 * contains a sample point, and is recorded once, with probability
 * p = 1 − e^(−s/I). Each recorded object therefore stands for 1/p objects of
 * that size on average (the Horvitz–Thompson estimator, unbiased): for small
 * objects p ≈ s/I, so a sample stands for about I bytes; objects much larger
 * than I are almost surely recorded and count once. Go scales its
 * MemProfileRate samples the same way.
 *
 * V8 already applies this scaling before it reports a sample (inspector
 * protocol and .heapprofile): a sample of an s-byte object reports
 * size = s × k with k = round(1/p(s)), the rounded number of objects it stands
 * for (measured on Node 20: 8256-byte objects at I = 512 KiB report 528384 =
 * 64 × 8256, and the sample counts match p(s)). So the reported size already
 * is the estimated bytes; scaling it again would overstate memory by up to
 * 1/(1 − e^(−1)) ≈ 1.58×. The object count k is recovered by solving
 * reported = s × round(1/p(s)) for k (see objectsPerSample).
 */
export function unsampledEstimate(count: number, reported: number, interval: number): { objects: number; bytes: number } {
  if (reported <= 0) return { objects: count, bytes: 0 };
  return { objects: count * objectsPerSample(reported, interval), bytes: count * reported };
}

/**
 * objectsPerSample finds k with reported = s × k and k = round(1/(1 − e^(−s/I))).
 * Several k can satisfy this (the rounding leaves slack), so it prefers object
 * sizes that are multiples of 8 (V8 aligns objects so) and, among those, the k
 * closest to the small-object guess: for small s, 1/p ≈ I/s + 1/2, so
 * reported ≈ I + s/2 and k ≈ reported² / (2·I·(reported − I)). Memoized.
 */
export function objectsPerSample(reported: number, interval: number): number {
  const key = `${reported}/${interval}`;
  let k = objectsMemo.get(key);
  if (k === undefined) {
    k = solveObjectsPerSample(reported, interval);
    if (objectsMemo.size >= 10_000) objectsMemo.clear();
    objectsMemo.set(key, k);
  }
  return k;
}

const objectsMemo = new Map<string, number>();

function solveObjectsPerSample(reported: number, interval: number): number {
  if (interval <= 0 || reported <= 0) return 1;
  const consistent = (k: number) => k >= 1 && Math.round(1 / -Math.expm1(-reported / k / interval)) === k;
  const excess = reported - interval;
  const guess = excess > 0 ? Math.max(1, (reported * reported) / (2 * interval * excess)) : 1;
  let best: number | undefined;
  const consider = (k: number) => {
    if (consistent(k) && (best === undefined || Math.abs(Math.log(k / guess)) < Math.abs(Math.log(best / guess)))) best = k;
  };
  if (Number.isInteger(reported) && reported % 8 === 0) {
    const units = reported / 8; // k must divide this for s = reported / k to be a multiple of 8
    for (let d = 1; d * d <= units; d++) {
      if (units % d !== 0) continue;
      consider(d);
      consider(units / d);
    }
  }
  if (best !== undefined) return best;
  if (consistent(1)) return 1;
  const rounded = Math.round(guess);
  for (let d = 0; d <= 4; d++) for (const k of [rounded - d, rounded + d]) if (consistent(k)) return k;
  return rounded;
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
      // As Go, label each sample with the size of one object.
      const objectSize = Math.round(size / objectsPerSample(size, options.interval));
      builder.addSample(locations(), [objects, bytes], { bytes: [objectSize, 'bytes'] });
    }
    if (stack.unsizedBytes !== 0) builder.addSample(locations(), [0, stack.unsizedBytes]);
  }
  return builder.build();
}
