import { dominatorsOf } from './dominators.js';
import type { HeapSnapshot } from './heap-snapshot.js';

/** DominatedObject is one child of a node in the dominator tree: what is freed with it, and what it frees. */
export interface DominatedObject {
  node: number;
  retainedSize: number;
  selfSize: number;
  /** How many objects it dominates directly (its own children in the tree). */
  children: number;
  /** The edge from the opened node that holds it, when there is one: `resolver`, `[3]`, `cache`. */
  edge?: string;
}

/** DominatorLevel is one node of the dominator tree, opened: the chain above it and the children under it. */
export interface DominatorLevel {
  node: number;
  /** Its dominators, from the root down to its immediate dominator. */
  chain: number[];
  /** Its children by retained size, largest first, at most `limit`. */
  children: DominatedObject[];
  /** All its children, shown or not. */
  childCount: number;
}

/** The dominator tree's child lists, once per snapshot: node n's children are kids[start[n]..start[n+1]). */
const childIndex = new WeakMap<HeapSnapshot, { start: Uint32Array; kids: Uint32Array }>();

/** dominatorChildren is the dominator tree as child lists: node n's children are kids[start[n]..start[n+1]). */
export function dominatorChildren(snapshot: HeapSnapshot): { start: Uint32Array; kids: Uint32Array } {
  let index = childIndex.get(snapshot);
  if (index) return index;
  const { dominator, reachable } = dominatorsOf(snapshot);
  const n = snapshot.nodeCount;
  const root = snapshot.rootOrdinal;
  const start = new Uint32Array(n + 1);
  for (let k = 0; k < n; k++) if (k !== root && reachable[k]) start[dominator[k]! + 1]!++;
  for (let k = 0; k < n; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, n);
  const kids = new Uint32Array(start[n]!);
  for (let k = 0; k < n; k++) if (k !== root && reachable[k]) kids[fill[dominator[k]!]!++] = k;
  index = { start, kids };
  childIndex.set(snapshot, index);
  return index;
}

/**
 * dominatorLevel opens node n of the dominator tree (Eclipse MAT's main view):
 * the objects that only n keeps alive, each with what it retains, so
 * following the largest child down leads to what holds the memory. V8's
 * synthetic roots ("(GC roots)", "(Strong roots)") are opened in place: their
 * children are listed as the root's.
 */
export function dominatorLevel(snapshot: HeapSnapshot, n: number, limit: number): DominatorLevel {
  const { dominator, retainedSize } = dominatorsOf(snapshot);
  const { start, kids } = dominatorChildren(snapshot);
  const synthetic = snapshot.types.synthetic;
  const listed: number[] = [];
  const open = [n];
  while (open.length > 0) {
    const at = open.pop()!;
    for (let i = start[at]!; i < start[at + 1]!; i++) {
      const child = kids[i]!;
      if (snapshot.nodeType[child] === synthetic) open.push(child);
      else listed.push(child);
    }
  }
  listed.sort((a, b) => retainedSize[b]! - retainedSize[a]! || a - b);
  const chain: number[] = [];
  for (let d = n; d !== snapshot.rootOrdinal && chain.length < 10_000; ) {
    d = dominator[d]!;
    chain.push(d);
  }
  chain.reverse();
  // How the opened node itself holds each child, when directly (a field, an element, a variable).
  const edgeTo = new Map<number, string>();
  const types = snapshot.types;
  for (let e = snapshot.firstEdge[n]!; e < snapshot.firstEdge[n + 1]!; e++) {
    const to = snapshot.edgeToNode[e]!;
    const t = snapshot.edgeType[e]!;
    if (edgeTo.has(to) || t === types.edgeWeak || t === types.edgeShortcut) continue;
    edgeTo.set(to, t === types.edgeElement ? `[${snapshot.edgeNameOf(e)}]` : t === types.edgeHidden ? '(hidden)' : t === types.edgeInternal ? `(${snapshot.edgeNameOf(e)})` : snapshot.edgeNameOf(e));
  }
  return {
    node: n,
    chain,
    childCount: listed.length,
    children: listed.slice(0, limit).map((node) => {
      const edge = edgeTo.get(node);
      return { node, retainedSize: retainedSize[node]!, selfSize: snapshot.nodeSelfSize[node]!, children: start[node + 1]! - start[node]!, ...(edge !== undefined ? { edge } : {}) };
    }),
  };
}
