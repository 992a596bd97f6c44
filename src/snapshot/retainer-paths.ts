import { essentialEdges } from './essential-edges.js';
import type { HeapSnapshot } from './heap-snapshot.js';

/**
 * RetainerTree is a breadth-first tree over the essential edges: for every
 * reachable node, the edge through which a shortest path from the roots
 * reaches it. Walking parentEdge from a node back to the root gives the
 * shortest retainer path, the one DevTools' Retainers view puts first.
 */
export interface RetainerTree {
  /** Hops from the root (user roots are at 1); -1 when unreachable. */
  distance: Int32Array;
  /** The edge that reaches each node on its shortest path; -1 for roots and unreachable nodes. */
  parentEdge: Int32Array;
}

/** RetainerStep is one hop of a retainer path: `from` holds `to` through `edge`. */
export interface RetainerStep {
  from: number;
  edge: number;
  to: number;
}

const memo = new WeakMap<HeapSnapshot, RetainerTree>();

/**
 * retainerTreeOf computes (once per snapshot) shortest paths from the roots.
 * As in DevTools, the user roots (the global object) are searched first, so
 * paths read `global.resolver.cache…` rather than going through V8's
 * internal root lists when both are equally short; weak and non-root
 * shortcut edges are not followed, nor the links DevTools skips because they
 * do not really retain (descriptor arrays' value slots, the native context's
 * sloppy_function_map).
 */
export function retainerTreeOf(snapshot: HeapSnapshot): RetainerTree {
  const known = memo.get(snapshot);
  if (known) return known;
  const { nodeCount, firstEdge, edgeToNode, rootOrdinal } = snapshot;
  const essential = essentialEdges(snapshot);
  const distance = new Int32Array(nodeCount).fill(-1);
  const parentEdge = new Int32Array(nodeCount).fill(-1);
  const queue = new Uint32Array(nodeCount);
  const skipIndexes = new Uint8Array(nodeCount); // 1: (map descriptors) array
  const nativeContext = new Uint8Array(nodeCount);
  for (let v = 0; v < nodeCount; v++) {
    const t = snapshot.nodeType[v]!;
    if (t === snapshot.types.array && snapshot.nameOf(v) === '(map descriptors)') skipIndexes[v] = 1;
    else if (t === snapshot.types.hidden && snapshot.isNativeContext(v)) nativeContext[v] = 1;
  }
  // Compiled code embeds the objects it uses (a module variable's cell, a constant): a path through
  // it means nothing to a reader. Such edges are followed only for what no other path reaches.
  const codeType = snapshot.types.code;
  let throughCode = false;
  const follow = (v: number, e: number): boolean => {
    if (!essential[e]) return false;
    if (!throughCode && snapshot.nodeType[v] === codeType) return false;
    if (skipIndexes[v]) {
      // Slots 3k+2 … hold [key, details, value] triples; the value slots are shared between maps and do not retain.
      const index = Number(snapshot.edgeNameOf(e));
      return !Number.isInteger(index) || index < 2 || index % 3 !== 1;
    }
    if (nativeContext[v]) return snapshot.edgeNameOf(e) !== 'sloppy_function_map';
    return true;
  };
  const bfs = (head: number, tail: number): number => {
    while (head < tail) {
      const v = queue[head++]!;
      const d = distance[v]! + 1;
      const end = firstEdge[v + 1]!;
      for (let e = firstEdge[v]!; e < end; e++) {
        const w = edgeToNode[e]!;
        if (distance[w] !== -1 || !follow(v, e)) continue;
        distance[w] = d;
        parentEdge[w] = e;
        queue[tail++] = w;
      }
    }
    return tail;
  };
  // User roots first: the root's shortcut targets.
  let tail = 0;
  const rootEnd = firstEdge[rootOrdinal + 1]!;
  for (let e = firstEdge[rootOrdinal]!; e < rootEnd; e++) {
    const w = edgeToNode[e]!;
    if (snapshot.edgeType[e] !== snapshot.types.edgeShortcut || distance[w] !== -1 || w === rootOrdinal) continue;
    distance[w] = 1;
    parentEdge[w] = e;
    queue[tail++] = w;
  }
  distance[rootOrdinal] = 0;
  const userReached = bfs(0, tail);
  // Then V8's own root lists, from the root.
  queue[userReached] = rootOrdinal;
  const reached = bfs(userReached, userReached + 1);
  // Last, what only compiled code holds: from every node reached, in the order reached.
  throughCode = true;
  bfs(0, reached);
  const tree = { distance, parentEdge };
  memo.set(snapshot, tree);
  return tree;
}

/**
 * retainerPath is the shortest chain of references from the root to node
 * `node`, root first; empty for the root itself and for unreachable nodes.
 */
export function retainerPath(snapshot: HeapSnapshot, node: number): RetainerStep[] {
  const { parentEdge } = retainerTreeOf(snapshot);
  const steps: RetainerStep[] = [];
  let to = node;
  while (parentEdge[to]! >= 0 && steps.length < snapshot.nodeCount) {
    const edge = parentEdge[to]!;
    const from = snapshot.ownerOf(edge);
    steps.push({ from, edge, to });
    to = from;
  }
  return steps.reverse();
}

/**
 * directRetainers lists, for each of `nodes`, the references to it (every
 * edge, weak ones too, in the order of their owners), in one pass over the
 * edges: for a few nodes this is cheaper than the full reverse index.
 */
export function directRetainers(snapshot: HeapSnapshot, nodes: readonly number[]): Map<number, RetainerStep[]> {
  const found = new Map<number, RetainerStep[]>(nodes.map((n) => [n, []]));
  const { firstEdge, edgeToNode } = snapshot;
  for (let from = 0; from < snapshot.nodeCount; from++) {
    for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e++) {
      const list = found.get(edgeToNode[e]!);
      if (list) list.push({ from, edge: e, to: edgeToNode[e]! });
    }
  }
  return found;
}
