import type { FrameNamer, V8CallFrame } from './v8-frames.js';
import { type NumLabel, PprofBuilder, type ValueTypeName } from './v8-pprof-builder.js';

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
  /** Frames from the leaf (allocating function) to the outermost caller; shared objects within a table. */
  frames: V8CallFrame[];
  /** Reported (already scaled) sample size in bytes → number of such samples (negative in a delta). */
  samplesBySize: Map<number, number>;
  /**
   * Bytes known only as a sum (profiles without per-sample sizes): reported
   * unscaled, with no object count.
   */
  unsizedBytes: number;
}

/**
 * HeapSampleTable holds sampled heap allocations keyed by stack. It is the
 * common currency of the heap endpoints: built from V8 profiles, added and
 * subtracted (deltas, cumulative allocation folding), then encoded as pprof.
 *
 * Frames are interned (one object per distinct frame, found through nested
 * maps without building strings) and stacks are keyed by their frame numbers:
 * building a table from a profile of 10,000 stacks allocates little, which
 * matters because the agent does it on the app's event loop.
 */
export class HeapSampleTable {
  readonly stacks = new Map<string, HeapStack>();
  private readonly frames: V8CallFrame[] = [];
  /** url → (line, column) → function name → frame number. */
  private readonly frameIndex = new Map<string, Map<number, Map<string, number>>>();

  private frameNumber(frame: V8CallFrame): number {
    let byPosition = this.frameIndex.get(frame.url);
    if (!byPosition) this.frameIndex.set(frame.url, (byPosition = new Map()));
    // Columns of minified bundles run into the millions; 2^26 keeps the sum exact below 2^53.
    const position = (frame.lineNumber + 1) * 2 ** 26 + (frame.columnNumber + 1);
    let byName = byPosition.get(position);
    if (!byName) byPosition.set(position, (byName = new Map()));
    let n = byName.get(frame.functionName);
    if (n === undefined) {
      n = this.frames.length;
      this.frames.push(frame);
      byName.set(frame.functionName, n);
    }
    return n;
  }

  private stackFor(frameNumbers: number[]): HeapStack {
    const key = frameNumbers.join(',');
    let stack = this.stacks.get(key);
    if (!stack) {
      stack = { frames: frameNumbers.map((n) => this.frames[n]!), samplesBySize: new Map(), unsizedBytes: 0 };
      this.stacks.set(key, stack);
    }
    return stack;
  }

  /** fromV8 collects the samples of one V8 profile by stack. */
  static fromV8(profile: V8HeapProfile): HeapSampleTable {
    const table = new HeapSampleTable();
    // Flatten the tree: per node its frame number and its parent's index.
    // Iterative, as stacks can be deep and the agent must never overflow the host's stack.
    const frameOf: number[] = [];
    const parentOf: number[] = [];
    const indexOfId = new Map<number, number>();
    const pendingNodes: V8HeapNode[] = [];
    const pendingParents: number[] = [];
    for (const child of profile.head.children ?? []) {
      pendingNodes.push(child);
      pendingParents.push(-1);
    }
    const unsized: [index: number, bytes: number][] = [];
    while (pendingNodes.length > 0) {
      const node = pendingNodes.pop()!;
      const parent = pendingParents.pop()!;
      const index = frameOf.length;
      frameOf.push(table.frameNumber(node.callFrame));
      parentOf.push(parent);
      indexOfId.set(node.id, index);
      if (!profile.samples && node.selfSize > 0) unsized.push([index, node.selfSize]);
      for (const child of node.children ?? []) {
        pendingNodes.push(child);
        pendingParents.push(index);
      }
    }
    const stackOfIndex = new Map<number, HeapStack>();
    const stackAt = (index: number): HeapStack => {
      let stack = stackOfIndex.get(index);
      if (!stack) {
        const numbers: number[] = [];
        for (let at = index; at >= 0; at = parentOf[at]!) numbers.push(frameOf[at]!);
        stack = table.stackFor(numbers);
        stackOfIndex.set(index, stack);
      }
      return stack;
    };
    for (const sample of profile.samples ?? []) {
      const index = indexOfId.get(sample.nodeId);
      if (index === undefined) continue;
      const bySize = stackAt(index).samplesBySize;
      bySize.set(sample.size, (bySize.get(sample.size) ?? 0) + 1);
    }
    for (const [index, bytes] of unsized) stackAt(index).unsizedBytes += bytes;
    return table;
  }

  /** add counts `count` samples of `size` bytes at the stack of `frames` (leaf first). */
  add(frames: V8CallFrame[], size: number, count: number): void {
    const bySize = this.stackFor(frames.map((f) => this.frameNumber(f))).samplesBySize;
    bySize.set(size, (bySize.get(size) ?? 0) + count);
  }

  /** has tells whether the table holds the stack of `frames` (leaf first), without adding anything. */
  has(frames: V8CallFrame[]): boolean {
    const numbers: number[] = [];
    for (const f of frames) {
      const n = this.frameIndex.get(f.url)?.get((f.lineNumber + 1) * 2 ** 26 + (f.columnNumber + 1))?.get(f.functionName);
      if (n === undefined) return false;
      numbers.push(n);
    }
    return this.stacks.has(numbers.join(','));
  }

  /** addTable adds every sample of other, times sign (−1 subtracts, for deltas). */
  addTable(other: HeapSampleTable, sign: 1 | -1 = 1): void {
    for (const stack of other.stacks.values()) {
      const mine = this.stackFor(stack.frames.map((f) => this.frameNumber(f)));
      for (const [size, count] of stack.samplesBySize) mine.samplesBySize.set(size, (mine.samplesBySize.get(size) ?? 0) + sign * count);
      mine.unsizedBytes += sign * stack.unsizedBytes;
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
 * Several k can satisfy this (the rounding leaves slack), so it takes the
 * unrounded solution k* = reported / s*, where s* solves s / (1 − e^(−s/I)) =
 * reported, and picks the consistent k nearest to it, preferring object sizes
 * that are multiples of 8 (V8 aligns objects so). Memoized.
 */
export function objectsPerSample(reported: number, interval: number): number {
  if (objectsMemoInterval !== interval || objectsMemo.size >= 10_000) {
    objectsMemo.clear();
    objectsMemoInterval = interval;
  }
  let k = objectsMemo.get(reported);
  if (k === undefined) {
    k = solveObjectsPerSample(reported, interval);
    objectsMemo.set(reported, k);
  }
  return k;
}

/** Solutions by reported size, for one interval at a time (an agent uses one). */
const objectsMemo = new Map<number, number>();
let objectsMemoInterval = 0;

function solveObjectsPerSample(reported: number, interval: number): number {
  if (interval <= 0 || reported <= 0) return 1;
  const consistent = (k: number) => k >= 1 && Math.round(1 / -Math.expm1(-reported / k / interval)) === k;
  // s / (1 − e^(−s/I)) grows from I (s → 0) to s (s ≫ I): bisect for s*.
  let guess = 1;
  if (reported > interval) {
    let lo = 0;
    let hi = reported;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (mid / -Math.expm1(-mid / interval) < reported) lo = mid;
      else hi = mid;
    }
    guess = Math.max(1, reported / Math.max(hi, 1e-9));
  }
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

/** heapTableToPprof turns a HeapSampleTable into a pprof profile (call `encode()` or `toProfile()` on the result). */
export function heapTableToPprof(table: HeapSampleTable, options: HeapPprofOptions): PprofBuilder {
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
  const labels = new Map<number, NumLabel>();
  // Frames are shared objects within a table: name each one once.
  const locationOfFrame = new Map<V8CallFrame, number>();
  const locationOf = (frame: V8CallFrame) => {
    let id = locationOfFrame.get(frame);
    if (id === undefined) locationOfFrame.set(frame, (id = builder.locationId(options.namer(frame, undefined))));
    return id;
  };
  for (const stack of table.stacks.values()) {
    let locationIds: number[] | undefined;
    const locations = () => (locationIds ??= stack.frames.map(locationOf));
    for (const [size, count] of stack.samplesBySize) {
      if (count === 0) continue;
      const { objects, bytes } = unsampledEstimate(count, size, options.interval);
      // As Go, label each sample with the size of one object.
      let label = labels.get(size);
      if (!label) labels.set(size, (label = { key: 'bytes', value: Math.round(size / objectsPerSample(size, options.interval)), unit: 'bytes' }));
      builder.addSample(locations(), [objects, bytes], label);
    }
    if (stack.unsizedBytes !== 0) builder.addSample(locations(), [0, stack.unsizedBytes]);
  }
  return builder;
}
