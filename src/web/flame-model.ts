/**
 * The flame graph's model, shared by the page (which lays out and pivots)
 * and the tests: a call tree in preorder, and the pivot and search
 * computations on it. No DOM, no Node: plain arrays in, plain arrays out.
 */
import type { FlameData } from './view-data.js';

/** FlameTree is a call tree in preorder: node k's subtree is k .. end[k]-1, its parent parent[k] (-1 for the root). */
export interface FlameTree {
  frame: Int32Array;
  depth: Int32Array;
  parent: Int32Array;
  end: Int32Array;
  total: Float64Array;
  self: Float64Array;
  width: Float64Array;
  /** The base's part of each total (-diff_base), or undefined. */
  base: Float64Array | undefined;
}

/** flameTreeOf turns the server's FlameData into a FlameTree (parents and subtree ends recomputed from depths). */
export function flameTreeOf(data: FlameData): FlameTree {
  const n = data.depth.length;
  const depth = Int32Array.from(data.depth);
  const { parent, end } = linksFromDepths(depth);
  return {
    frame: Int32Array.from(data.frame),
    depth,
    parent,
    end,
    total: Float64Array.from(data.total),
    self: Float64Array.from(data.self),
    width: data.diff ? Float64Array.from(data.width) : Float64Array.from(data.total),
    base: data.diff && data.base.length === n ? Float64Array.from(data.base) : undefined,
  };
}

function linksFromDepths(depth: Int32Array): { parent: Int32Array; end: Int32Array } {
  const n = depth.length;
  const parent = new Int32Array(n).fill(-1);
  const end = new Int32Array(n).fill(n);
  const stack: number[] = [];
  for (let k = 0; k < n; k++) {
    while (stack.length > 0 && depth[stack[stack.length - 1]!]! >= depth[k]!) end[stack.pop()!] = k;
    parent[k] = stack.length > 0 ? stack[stack.length - 1]! : -1;
    stack.push(k);
  }
  return { parent, end };
}

/** TreeBuilder grows a tree node by node, merging children with the same frame. */
class TreeBuilder {
  readonly parent: number[] = [-1];
  readonly frame: number[];
  readonly total: number[] = [0];
  readonly self: number[] = [0];
  readonly width: number[] = [0];
  readonly base: number[] = [0];
  private readonly children = new Map<number, number>();
  private readonly frameCount: number;

  constructor(rootFrame: number, frameCount: number) {
    this.frame = [rootFrame];
    this.frameCount = frameCount + 2;
  }

  child(node: number, frame: number): number {
    const key = node * this.frameCount + (frame + 1);
    let c = this.children.get(key);
    if (c === undefined) {
      c = this.parent.length;
      this.children.set(key, c);
      this.parent.push(node);
      this.frame.push(frame);
      this.total.push(0);
      this.self.push(0);
      this.width.push(0);
      this.base.push(0);
    }
    return c;
  }

  add(node: number, total: number, self: number, width: number, base: number): void {
    this.total[node]! += total;
    this.self[node]! += self;
    this.width[node]! += width;
    this.base[node]! += base;
  }

  /** build orders the nodes in preorder, children by frame name. */
  build(names: readonly string[], withBase: boolean): FlameTree {
    const n = this.parent.length;
    const kids: number[][] = Array.from({ length: n }, () => []);
    for (let k = 1; k < n; k++) kids[this.parent[k]!]!.push(k);
    const nameOf = (k: number) => names[this.frame[k]!] ?? '';
    for (const list of kids) list.sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
    const order: number[] = [];
    const depthOf: number[] = [];
    const stack: [number, number][] = [[0, 0]];
    while (stack.length > 0) {
      const [k, d] = stack.pop()!;
      order.push(k);
      depthOf.push(d);
      const list = kids[k]!;
      for (let c = list.length - 1; c >= 0; c--) stack.push([list[c]!, d + 1]);
    }
    const depth = Int32Array.from(depthOf);
    const { parent, end } = linksFromDepths(depth);
    const pick = (a: number[]) => Float64Array.from(order, (k) => a[k]!);
    return {
      frame: Int32Array.from(order, (k) => this.frame[k]!),
      depth, parent, end,
      total: pick(this.total), self: pick(this.self), width: pick(this.width),
      base: withBase ? pick(this.base) : undefined,
    };
  }
}

/** outermostOccurrences are the nodes of frame f not inside another node of f (so each sample counts once, as pprof's cum). */
export function outermostOccurrences(tree: FlameTree, matches: (frame: number) => boolean): number[] {
  const found: number[] = [];
  const n = tree.frame.length;
  for (let k = 0; k < n;) {
    if (matches(tree.frame[k]!)) {
      found.push(k);
      k = tree.end[k]!;
    } else {
      k++;
    }
  }
  return found;
}

/** Pivot is the flame graph around one frame: its callers (inverted: nearest caller first) and its callees. */
export interface Pivot {
  frame: number;
  callers: FlameTree;
  callees: FlameTree;
}

/**
 * pivotOn merges every outermost occurrence of frame: the callees tree sums
 * their subtrees, the callers tree sums the paths above them (nearest caller
 * at depth 1). Both roots hold the frame's total (its cum).
 */
export function pivotOn(tree: FlameTree, frame: number, names: readonly string[]): Pivot {
  const occurrences = outermostOccurrences(tree, (f) => f === frame);
  const withBase = tree.base !== undefined;
  const base = (k: number) => tree.base?.[k] ?? 0;
  const callees = new TreeBuilder(frame, names.length);
  const callers = new TreeBuilder(frame, names.length);
  const merged = new Int32Array(tree.frame.length);
  for (const o of occurrences) {
    merged[o] = 0;
    callees.add(0, tree.total[o]!, tree.self[o]!, tree.width[o]!, base(o));
    for (let k = o + 1; k < tree.end[o]!; k++) {
      const m = callees.child(merged[tree.parent[k]!]!, tree.frame[k]!);
      merged[k] = m;
      callees.add(m, tree.total[k]!, tree.self[k]!, tree.width[k]!, base(k));
    }
    callers.add(0, tree.total[o]!, tree.self[o]!, tree.width[o]!, base(o));
    let at = 0;
    for (let a = tree.parent[o]!; a > 0; a = tree.parent[a]!) {
      at = callers.child(at, tree.frame[a]!);
      callers.add(at, tree.total[o]!, 0, tree.width[o]!, base(o));
    }
  }
  // A caller's self is what ends there: its width minus its callers' widths.
  return { frame, callers: withSelfFromChildren(callers.build(names, withBase)), callees: callees.build(names, withBase) };
}

function withSelfFromChildren(tree: FlameTree): FlameTree {
  const self = Float64Array.from(tree.total);
  for (let k = 1; k < self.length; k++) self[tree.parent[k]!]! -= tree.total[k]!;
  return { ...tree, self };
}

/** searchTotal is the total of the samples through any frame matching, each counted once (outermost matches). */
export function searchTotal(tree: FlameTree, matches: (frame: number) => boolean): number {
  let sum = 0;
  for (const k of outermostOccurrences(tree, matches)) sum += tree.total[k]!;
  return sum;
}

/** layoutX gives each node's left edge, in the units of width: children side by side from their parent's left edge. */
export function layoutX(tree: FlameTree): Float64Array {
  const n = tree.frame.length;
  const x = new Float64Array(n);
  const next = new Float64Array(n);
  for (let k = 1; k < n; k++) {
    const p = tree.parent[k]!;
    x[k] = x[p]! + next[p]!;
    next[p]! += tree.width[k]!;
  }
  return x;
}
