import type { FrameNamer, V8CallFrame } from './v8-frames.js';
import {
  decidedObjectSize,
  heapSampleWeight,
  likeliestObjectSize,
  weightSpread,
  type ReportedSizeGroup,
  resolveNodeObjectSizes,
} from './v8-heap-sample-size.js';
import { HeapStackLines, type HeapStackLineOptions } from './heap-stack-lines.js';
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
  /**
   * Object size in bytes (V8's reported size resolved to the object it
   * sampled) → number of such samples (negative in a delta).
   */
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
  /**
   * Samples whose object size V8's selfSize could not confirm, among sizes whose
   * byte estimates differ by more than 2% (taken as the likeliest; said in the profile).
   */
  inferredSamples = 0;
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

  /**
   * fromV8 collects the samples of one V8 profile by stack and object size.
   * `interval` is the sampler's mean interval the profile was taken with: the
   * object sizes behind V8's reported sizes depend on it (see v8-heap-sample-size.ts).
   */
  static fromV8(profile: V8HeapProfile, interval: number): HeapSampleTable {
    const table = new HeapSampleTable();
    // Flatten the tree: per node its frame number and its parent's index.
    // Iterative, as stacks can be deep and the agent must never overflow the host's stack.
    const frameOf: number[] = [];
    const parentOf: number[] = [];
    const selfSizeOf: number[] = [];
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
      selfSizeOf.push(node.selfSize);
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
    // Per node: its samples grouped by reported size ([reported, count, ...]), then
    // resolved to object sizes. Written to allocate little: see the class comment.
    const groupsAt = new Map<number, number[]>();
    for (const sample of profile.samples ?? []) {
      const index = indexOfId.get(sample.nodeId);
      if (index === undefined) continue;
      const groups = groupsAt.get(index);
      if (!groups) {
        groupsAt.set(index, [sample.size, 1]);
        continue;
      }
      let at = 0;
      while (at < groups.length && groups[at] !== sample.size) at += 2;
      if (at < groups.length) groups[at + 1]!++;
      else groups.push(sample.size, 1);
    }
    const addSamples = (index: number, size: number, count: number) => {
      const bySize = stackAt(index).samplesBySize;
      bySize.set(size, (bySize.get(size) ?? 0) + count);
    };
    // Sizes confirmed at some node decide the same reports where a node's selfSize cannot.
    const known = new Map<number, number>();
    const undecided: number[] = [];
    groupsAt.forEach((groups, index) => {
      const selfSize = selfSizeOf[index]!;
      if (groups.length === 2) {
        const size = decidedObjectSize(groups[0]!, groups[1]!, selfSize, interval);
        if (size === undefined) {
          undecided.push(index);
          return;
        }
        known.set(groups[0]!, size);
        addSamples(index, size, groups[1]!);
        return;
      }
      const list: ReportedSizeGroup[] = [];
      for (let at = 0; at < groups.length; at += 2) list.push({ reported: groups[at]!, count: groups[at + 1]! });
      const resolved = resolveNodeObjectSizes(list, selfSize, interval);
      table.inferredSamples += resolved.inferred;
      resolved.sizes.forEach((bySize, reported) => {
        if (resolved.inferred === 0 && bySize.size === 1) bySize.forEach((_, size) => known.set(reported, size));
        bySize.forEach((count, size) => addSamples(index, size, count));
      });
    });
    for (const index of undecided) {
      const [reported, count] = groupsAt.get(index)!;
      addSamples(index, likeliestObjectSize(reported!, count!, selfSizeOf[index]!, interval, known), count!);
      // Small objects' candidates all weigh about I + s/2: only count samples whose bytes are at stake.
      if (weightSpread(reported!, count!, selfSizeOf[index]!, interval) > 1 + inferredSpread) table.inferredSamples += count!;
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
    this.inferredSamples += other.inferredSamples;
  }

  /** sampleCount is the number of samples held (absolute values, so deltas count too). */
  get sampleCount(): number {
    let n = 0;
    for (const stack of this.stacks.values()) for (const c of stack.samplesBySize.values()) n += Math.abs(c);
    return n;
  }
}

/**
 * unsampledEstimate turns `count` samples of `objectSize`-byte objects into the
 * estimated number of objects and bytes they stand for: Go's estimator, count ×
 * 1/(1 − e^(−s/I)) objects of s bytes, unbiased for every size (the math, and
 * how the object size is recovered from what V8 reports, are in
 * v8-heap-sample-size.ts).
 */
export function unsampledEstimate(count: number, objectSize: number, interval: number): { objects: number; bytes: number } {
  const weight = heapSampleWeight(objectSize, interval);
  return { objects: count * weight.objects, bytes: count * weight.bytes };
}

/** HeapPprofOptions selects what the heap pprof profile holds (and, through HeapStackLineOptions, how its frames are named and placed). */
export interface HeapPprofOptions extends HeapStackLineOptions {
  /** 'inuse' for live objects (inuse_objects, inuse_space), 'alloc' for all allocations. */
  kind: 'inuse' | 'alloc';
  /** The sampler's mean interval in bytes (pprof's period). */
  interval: number;
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
  // Read when the profile is encoded, so the lines' count can join them below.
  const comments = [...(options.comments ?? []), ...inferredSizeComment(table)];
  const builder = new PprofBuilder({
    sampleTypes,
    periodType: ['space', 'bytes'],
    period: options.interval,
    timeNanos: options.timeNanos,
    durationNanos: options.durationNanos,
    defaultSampleType: options.defaultSampleType,
    comments,
    mainFile: options.mainFile,
  });
  const labels = new Map<number, NumLabel>();
  const lines = new HeapStackLines(table.stacks, builder, options);
  for (const stack of table.stacks.values()) {
    for (const [size, count] of stack.samplesBySize) {
      if (count === 0) continue;
      const { objects, bytes } = unsampledEstimate(count, size, options.interval);
      // As Go, label each sample with the size of one object.
      let label = labels.get(size);
      if (!label) labels.set(size, (label = { key: 'bytes', value: Math.round(size), unit: 'bytes' }));
      builder.addSample(lines.locations(stack, size), [Math.round(objects), Math.round(bytes)], label);
    }
    if (stack.unsizedBytes !== 0) builder.addSample(lines.locations(stack, undefined), [0, stack.unsizedBytes]);
  }
  comments.push(...lines.comment());
  return builder;
}

/** How far apart candidates' byte weights may be before a sample counts as inferred. */
const inferredSpread = 0.02;

/** inferredSizeComment says how many samples' object sizes were the likeliest rather than confirmed. */
function inferredSizeComment(table: HeapSampleTable): string[] {
  if (table.inferredSamples === 0) return [];
  return [
    `${table.inferredSamples} heap samples could be objects of sizes whose estimates differ by more than 2% (V8 reports size × round(1/p), and too few samples at their stack to tell); tsprof took the likeliest`,
  ];
}
