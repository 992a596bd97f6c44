/**
 * The flame graph's model, shared by the page (which lays out and pivots)
 * and the tests: a call tree in preorder, and the pivot and search
 * computations on it. No DOM, no Node: plain arrays in, plain arrays out.
 */
import { ChildTable } from './child-table.js';
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

/**
 * childLists lists every node's children in one array (a counting sort by
 * parent: node k's are kids[start[k] .. start[k+1])), each list in order.
 * Node 0 is the root; every other node's parent comes before it.
 */
export function childLists(parent: ArrayLike<number>, n: number, order: (a: number, b: number) => number): { start: Int32Array; kids: Int32Array } {
  const start = new Int32Array(n + 1);
  for (let k = 1; k < n; k++) start[parent[k]! + 1]!++;
  for (let k = 0; k < n; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, n);
  const kids = new Int32Array(Math.max(n - 1, 0));
  for (let k = 1; k < n; k++) kids[fill[parent[k]!]!++] = k;
  for (let k = 0; k < n; k++) if (start[k + 1]! - start[k]! > 1) kids.subarray(start[k]!, start[k + 1]!).sort(order);
  return { start, kids };
}

/** nameRanks numbers frames in name order (computed once per frame list): children sort by integers, not strings. */
const nameRanks = new WeakMap<readonly string[], Int32Array>();

/** nameRank is each frame's place in name order. */
export function nameRank(names: readonly string[]): Int32Array {
  let rank = nameRanks.get(names);
  if (!rank) {
    rank = new Int32Array(names.length);
    const order = names.map((_, f) => f).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
    order.forEach((f, r) => { rank![f] = r; });
    nameRanks.set(names, rank);
  }
  return rank;
}

/** TreeBuilder grows a tree node by node in typed columns, merging children with the same frame. */
class TreeBuilder {
  n = 1;
  parent: Int32Array;
  frame: Int32Array;
  total: Float64Array;
  self: Float64Array;
  width: Float64Array;
  base: Float64Array;
  private readonly children: ChildTable;

  constructor(rootFrame: number, expected: number) {
    const cap = Math.max(16, expected);
    this.parent = new Int32Array(cap).fill(-1);
    this.frame = new Int32Array(cap);
    this.total = new Float64Array(cap);
    this.self = new Float64Array(cap);
    this.width = new Float64Array(cap);
    this.base = new Float64Array(cap);
    this.frame[0] = rootFrame;
    this.children = new ChildTable(expected);
  }

  child(node: number, frame: number): number {
    const c = this.children.childOf(node, frame, this.n);
    if (c === this.n) {
      if (this.n === this.parent.length) this.grow();
      this.parent[c] = node;
      this.frame[c] = frame;
      this.n++;
    }
    return c;
  }

  add(node: number, total: number, self: number, width: number, base: number): void {
    this.total[node]! += total;
    this.self[node]! += self;
    this.width[node]! += width;
    this.base[node]! += base;
  }

  private grow(): void {
    const cap = this.parent.length * 2;
    const more = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (size: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.parent = more(this.parent); this.frame = more(this.frame);
    this.total = more(this.total); this.self = more(this.self); this.width = more(this.width); this.base = more(this.base);
  }

  /** build orders the nodes in preorder, children by frame name. */
  build(rank: Int32Array, withBase: boolean): FlameTree {
    const n = this.n;
    const fr = this.frame;
    const { start, kids } = childLists(this.parent, n, (a, b) => rank[fr[a]!]! - rank[fr[b]!]!);
    const order = new Int32Array(n);
    const depth = new Int32Array(n);
    const stack = new Int32Array(n * 2 + 2);
    let top = 0, at = 0;
    stack[top++] = 0; stack[top++] = 0;
    while (top > 0) {
      const d = stack[--top]!, k = stack[--top]!;
      order[at] = k;
      depth[at++] = d;
      for (let c = start[k + 1]! - 1; c >= start[k]!; c--) { stack[top++] = kids[c]!; stack[top++] = d + 1; }
    }
    const { parent, end } = linksFromDepths(depth);
    const pick = (a: Float64Array) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = a[order[i]!]!;
      return out;
    };
    const frame = new Int32Array(n);
    for (let i = 0; i < n; i++) frame[i] = fr[order[i]!]!;
    return {
      frame, depth, parent, end,
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
  let size = 0;
  for (const o of occurrences) size += tree.end[o]! - o;
  const callees = new TreeBuilder(frame, size);
  const callers = new TreeBuilder(frame, 64);
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
  const rank = nameRank(names);
  return { frame, callers: withSelfFromChildren(callers.build(rank, withBase)), callees: callees.build(rank, withBase) };
}

function withSelfFromChildren(tree: FlameTree): FlameTree {
  const self = Float64Array.from(tree.total);
  for (let k = 1; k < self.length; k++) self[tree.parent[k]!]! -= tree.total[k]!;
  return { ...tree, self };
}

/**
 * hideFrames drops the frames `hidden` names from every stack, as pprof's
 * hide does: a hidden node's children join its nearest shown ancestor
 * (merging with siblings of the same frame there), and what it held itself
 * becomes that ancestor's own. The root's total is unchanged.
 */
export function hideFrames(tree: FlameTree, hidden: (frame: number) => boolean, names: readonly string[]): FlameTree {
  const n = tree.frame.length;
  const withBase = tree.base !== undefined;
  const base = (k: number) => tree.base?.[k] ?? 0;
  const out = new TreeBuilder(tree.frame[0]!, n);
  const mapped = new Int32Array(n);
  out.add(0, tree.total[0]!, tree.self[0]!, tree.width[0]!, base(0));
  for (let k = 1; k < n; k++) {
    const up = mapped[tree.parent[k]!]!;
    if (tree.frame[k]! >= 0 && hidden(tree.frame[k]!)) {
      mapped[k] = up;
      out.add(up, 0, tree.self[k]!, 0, 0);
      continue;
    }
    const m = out.child(up, tree.frame[k]!);
    mapped[k] = m;
    out.add(m, tree.total[k]!, tree.self[k]!, tree.width[k]!, base(k));
  }
  return out.build(nameRank(names), withBase);
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
