/**
 * The lines of a heap profile's locations. V8's sampling heap profiler gives
 * every frame only the position where its function starts; pprof users expect
 * each caller at the line that made the call, and the allocating leaf at the
 * line that allocated ("fetcher.go lines 80 and 142"). Two kinds of evidence:
 *
 * - A caller's line: the line of its body that calls the frame below it, found
 *   by that frame's name in the source (HeapCallLines). Inferred, and counted.
 * - A leaf's line. V8's sampling heap profiler records each stack frame's
 *   function, not the functions optimized code inlined into it, so on every
 *   version (TurboFan on Node 20/22, and Maglev, which inlines sooner, from
 *   V8 13 on) samples the leaf allocated itself may be a callee's, inlined into
 *   it: the story's service on Node 20 shows most of its held bytes at the
 *   parse itself once Buffer#toString is inlined. When other
 *   stacks show the leaf calling exactly one function that allocated objects of
 *   about the same size (within 25%), and the leaf's source calls that function
 *   on one line, the samples are placed at that line. Otherwise the leaf stays
 *   at its function's first line, which is all V8 says.
 */
import type { FrameNamer, V8CallFrame } from './v8-frames.js';
import type { PprofBuilder } from './v8-pprof-builder.js';

/**
 * HeapCallLines gives the one-based (generated) line of `caller` that calls
 * `callee`, when the caller's source tells; undefined when it does not.
 */
export type HeapCallLines = (caller: V8CallFrame, callee: V8CallFrame) => number | undefined;

/** HeapStackLineOptions is what placing lines needs of the heap profile's options. */
export interface HeapStackLineOptions {
  namer: FrameNamer;
  callLines?: HeapCallLines;
  /** Evidence kept across profiles (the agent's); without it, this profile's own stacks. */
  allocatingCallees?: AllocatingCallees;
}

/** SampledStack is a heap stack as placing lines reads it: frames leaf first, sample counts by object size. */
export interface SampledStack {
  frames: V8CallFrame[];
  samplesBySize: Map<number, number>;
}

/** How far apart two object sizes may be and still count as the same allocation. */
const sameSizeRatio = 1.25;

/** Callers remembered by AllocatingCallees; past this the oldest are forgotten. */
const maxCallers = 10_000;
/** Distinct object sizes remembered per caller and callee. */
const maxSizes = 32;

/** frameKey names a frame across profiles (frames are shared objects only within one table). */
function frameKey(frame: V8CallFrame): string {
  return `${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}\u0000${frame.functionName}`;
}

/**
 * AllocatingCallees remembers which functions were seen allocating right
 * below which callers, with the object sizes, across the heap profiles it is
 * given: an agent keeps one for its life, so evidence from early samples (taken
 * before V8 optimized and inlined the callee) still places later ones. Bounded.
 */
/** How many levels above the allocating leaf are recorded: the builtins a call goes through are few. */
const recordedLevels = 3;

export class AllocatingCallees {
  /** caller key → callee key → the callee's frame and the sizes it allocated there. */
  private readonly byCaller = new Map<string, Map<string, { callee: V8CallFrame; sizes: number[] }>>();

  /**
   * add records, for each stack, the frames a few levels up from the allocating
   * leaf under their callers, with the leaf's sizes: `toString` under the parse
   * that called it when `slice` below it allocated, so a later sample in which
   * V8 inlined both into the parse is still placed at the toString call.
   */
  add(stacks: Iterable<SampledStack>): void {
    for (const stack of stacks) {
      for (let level = 0; level + 1 < stack.frames.length && level < recordedLevels; level++) this.addPair(stack, stack.frames[level]!, stack.frames[level + 1]!);
    }
  }

  private addPair(stack: SampledStack, callee: V8CallFrame, caller: V8CallFrame): void {
    if (callee.url === '' && callee.functionName === '') return;
    {
      const key = frameKey(caller);
      let callees = this.byCaller.get(key);
      for (const [size, count] of stack.samplesBySize) {
        if (count <= 0) continue;
        if (!callees) {
          if (this.byCaller.size >= maxCallers) this.byCaller.delete(this.byCaller.keys().next().value!);
          this.byCaller.set(key, (callees = new Map()));
        }
        const calleeKey = frameKey(callee);
        let seen = callees.get(calleeKey);
        if (!seen) callees.set(calleeKey, (seen = { callee, sizes: [] }));
        if (seen.sizes.includes(size)) continue;
        if (seen.sizes.length >= maxSizes) seen.sizes.shift();
        seen.sizes.push(size);
      }
    }
  }

  /** sameSized is the one callee seen below `caller` allocating objects of about `size` bytes, if exactly one was. */
  sameSized(caller: V8CallFrame, size: number): V8CallFrame | undefined {
    const callees = this.byCaller.get(frameKey(caller));
    if (!callees) return undefined;
    let match: V8CallFrame | undefined;
    for (const { callee, sizes } of callees.values()) {
      if (!sizes.some((s) => s * sameSizeRatio >= size && s <= size * sameSizeRatio)) continue;
      if (match && frameKey(match) !== frameKey(callee)) return undefined;
      match = callee;
    }
    return match;
  }
}

/**
 * HeapStackLines names each stack's frames as pprof locations, with the lines
 * the evidence allows, and says in a profile comment how many were inferred.
 */
export class HeapStackLines {
  /** frame → line (−1 for its first line) → location id. */
  private readonly located = new Map<V8CallFrame, Map<number, number>>();
  /** caller → callee → the caller's line calling it (null: not known). */
  private readonly callLineMemo = new Map<V8CallFrame, Map<V8CallFrame, number | null>>();
  private readonly plain = new Map<SampledStack, number[]>();
  private evidence: AllocatingCallees | undefined;
  private readonly callers = new Set<number>();
  private readonly placedCallers = new Set<number>();
  private readonly placedLeaves = new Set<number>();

  constructor(
    private readonly stacks: ReadonlyMap<string, SampledStack>,
    private readonly builder: PprofBuilder,
    private readonly options: HeapStackLineOptions,
  ) {}

  /** locations of `stack`'s frames, leaf first, for its samples of objects of `size` bytes (undefined: unsized). */
  locations(stack: SampledStack, size: number | undefined): number[] {
    let ids = this.plain.get(stack);
    if (!ids) {
      ids = stack.frames.map((frame, i) => (i === 0 ? this.location(frame, undefined) : this.callerLocation(frame, stack.frames[i - 1]!)));
      this.plain.set(stack, ids);
    }
    const leafLine = size === undefined ? undefined : this.inlinedLeafLine(stack.frames[0]!, size);
    if (leafLine === undefined) return ids;
    const leaf = this.location(stack.frames[0]!, leafLine);
    this.placedLeaves.add(leaf);
    return [leaf, ...ids.slice(1)];
  }

  /** The profile comment saying which lines were inferred, if any were sought. */
  comment(): string[] {
    if (!this.options.callLines || this.callers.size === 0) return [];
    const leaves = this.placedLeaves.size > 0 ? `, and ${this.placedLeaves.size} allocating ${this.placedLeaves.size === 1 ? 'leaf' : 'leaves'} at the line calling a function V8 inlined into them and left out, matched by object size` : '';
    return [
      `tsprof heap lines: ${this.placedCallers.size} of ${this.callers.size} calling locations are at the line that calls the frame below, inferred from the source by that frame's name${leaves}; V8's sampling heap profiler reports only where each function starts, which the other locations show`,
    ];
  }

  private location(frame: V8CallFrame, line: number | undefined): number {
    let byLine = this.located.get(frame);
    if (!byLine) this.located.set(frame, (byLine = new Map()));
    let id = byLine.get(line ?? -1);
    if (id === undefined) {
      id = this.builder.locationId(this.options.namer(frame, line));
      byLine.set(line ?? -1, id);
    }
    return id;
  }

  private callerLocation(frame: V8CallFrame, callee: V8CallFrame): number {
    const line = this.callLine(frame, callee);
    const id = this.location(frame, line);
    if (frame.url !== '' && this.options.callLines) {
      this.callers.add(id);
      if (line !== undefined) this.placedCallers.add(id);
    }
    return id;
  }

  private callLine(caller: V8CallFrame, callee: V8CallFrame): number | undefined {
    if (!this.options.callLines || caller.url === '') return undefined;
    let byCallee = this.callLineMemo.get(caller);
    if (!byCallee) this.callLineMemo.set(caller, (byCallee = new Map()));
    let line = byCallee.get(callee);
    if (line === undefined) byCallee.set(callee, (line = this.options.callLines(caller, callee) ?? null));
    return line ?? undefined;
  }

  /** The line of a callee inlined into `leaf` that allocated objects of about `size` bytes, if exactly one did. */
  private inlinedLeafLine(leaf: V8CallFrame, size: number): number | undefined {
    if (!this.options.callLines || leaf.url === '') return undefined;
    if (!this.evidence) {
      this.evidence = this.options.allocatingCallees ?? new AllocatingCallees();
      this.evidence.add(this.stacks.values());
    }
    const callee = this.evidence.sameSized(leaf, size);
    return callee && this.callLine(leaf, callee);
  }
}
