import { essentialEdges } from './essential-edges.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import { countsToEnds } from './offsets.js';

/**
 * Dominators is the dominator tree of a heap snapshot and what follows from
 * it. Node d dominates n when every path of essential edges from the root to
 * n passes through d; the retained size of d is what the GC would free if d
 * were gone: its own size plus that of every node it dominates.
 */
export interface Dominators {
  /** Immediate dominator of each node (the root's is itself). */
  dominator: Uint32Array;
  retainedSize: Float64Array;
  /** 1 for nodes reachable from the root through essential edges. */
  reachable: Uint8Array;
}

const memo = new WeakMap<HeapSnapshot, Dominators>();

/** dominatorsOf computes (once per snapshot) the dominator tree and retained sizes. */
export function dominatorsOf(snapshot: HeapSnapshot): Dominators {
  let d = memo.get(snapshot);
  if (!d) {
    d = computeDominators(snapshot);
    memo.set(snapshot, d);
  }
  return d;
}

/**
 * computeDominators computes semidominators as Lengauer–Tarjan does (with
 * path compression) and immediate dominators from them by Semi-NCA, over
 * the essential edges, in typed arrays and without recursion, so it handles
 * heaps of tens of millions of objects in a few arrays of 4 bytes a node.
 *
 * Objects unreachable from the root (kept only by weak edges, or cycles
 * nothing else holds; V8 usually collects them before a snapshot) are hung
 * under the root, as DevTools does: each unvisited node in ordinal order
 * starts a further DFS as if the root pointed at it, so every node has a
 * dominator and the root's retained size is the whole heap. Edges from such
 * nodes into the reachable heap are ignored, so the dominators of live
 * objects are exactly those of the live graph.
 */
export function computeDominators(snapshot: HeapSnapshot): Dominators {
  const n = snapshot.nodeCount;
  const root = snapshot.rootOrdinal;
  const { firstEdge, edgeToNode } = snapshot;
  const essential = essentialEdges(snapshot);
  const { firstPredecessor, predecessor } = essentialPredecessors(snapshot, essential);

  // semi[v] starts as v's DFS number (1-based; 0 = not seen yet), vertex[k] is the node numbered k.
  const vertex = new Uint32Array(n + 1);
  const parent = new Uint32Array(n);
  const semi = new Uint32Array(n);
  const label = new Uint32Array(n);
  // During the DFS, ancestor[v] is v's next edge to explore; after it, the forest of the main loop.
  const ancestor = new Int32Array(n);
  // 1: reachable from the root; 2: start of a further DFS (unreachable); 0: reached by such a DFS.
  const reachable = new Uint8Array(n);
  const virtualStart = 2;
  // The DFS stack, reused for path compression.
  const stack = new Uint32Array(n);
  let count = 0;

  const dfs = (start: number) => {
    count++;
    vertex[count] = start;
    semi[start] = count;
    label[start] = start;
    ancestor[start] = firstEdge[start]!;
    let sp = 0;
    stack[sp++] = start;
    while (sp > 0) {
      const v = stack[sp - 1]!;
      const end = firstEdge[v + 1]!;
      let e = ancestor[v]!;
      let descended = false;
      while (e < end) {
        const w = edgeToNode[e]!;
        if (essential[e++] && semi[w] === 0) {
          ancestor[v] = e;
          parent[w] = v;
          count++;
          vertex[count] = w;
          semi[w] = count;
          label[w] = w;
          ancestor[w] = firstEdge[w]!;
          stack[sp++] = w;
          descended = true;
          break;
        }
      }
      if (!descended) {
        ancestor[v] = e;
        sp--;
      }
    }
  };

  dfs(root);
  parent[root] = root;
  const reachableCount = count;
  for (let k = 1; k <= reachableCount; k++) reachable[vertex[k]!] = 1;
  for (let v = 0; v < n && count < n; v++) {
    if (semi[v] === 0) {
      parent[v] = root;
      reachable[v] = virtualStart;
      dfs(v);
    }
  }
  ancestor.fill(-1);

  const compressStack = stack; // reused

  const evaluate = (v: number): number => {
    if (ancestor[v]! < 0) return v;
    // Path compression without recursion: collect the chain, then fold it top-down.
    let sp = 0;
    let x = v;
    while (ancestor[ancestor[x]!]! >= 0) {
      compressStack[sp++] = x;
      x = ancestor[x]!;
    }
    while (sp > 0) {
      x = compressStack[--sp]!;
      const a = ancestor[x]!;
      if (semi[label[a]!]! < semi[label[x]!]!) label[x] = label[a]!;
      ancestor[x] = ancestor[a]!;
    }
    return label[v]!;
  };

  for (let k = n; k >= 2; k--) {
    const w = vertex[k]!;
    // Semidominator: the smallest-numbered ancestor reachable through a predecessor.
    if (reachable[w] === virtualStart) {
      semi[w] = 1;
    } else {
      const end = firstPredecessor[w + 1]!;
      const wReachable = k <= reachableCount;
      for (let r = firstPredecessor[w]!; r < end; r++) {
        const v = predecessor[r]!;
        // Garbage pointing into the live heap must not change who retains live objects.
        if (wReachable && reachable[v] !== 1) continue;
        const u = evaluate(v);
        if (semi[u]! < semi[w]!) semi[w] = semi[u]!;
      }
    }
    ancestor[w] = parent[w]!;
  }

  // Semi-NCA (Georgiadis et al.): the immediate dominator of w is the nearest
  // common ancestor, in the DFS tree, of its parent and its semidominator:
  // climb the (already final) dominators of the parent until at or above the
  // semidominator. No buckets, and the arrays of the first pass are reused.
  const dfn = label; // dead after the first pass
  for (let k = 1; k <= n; k++) dfn[vertex[k]!] = k;
  const idom = new Uint32Array(ancestor.buffer); // likewise
  idom[root] = root;
  for (let k = 2; k <= n; k++) {
    const w = vertex[k]!;
    let d = parent[w]!;
    while (dfn[d]! > semi[w]!) d = idom[d]!;
    idom[w] = d;
  }

  for (let v = 0; v < n; v++) if (reachable[v] === virtualStart) reachable[v] = 0;
  const retainedSize = Float64Array.from(snapshot.nodeSelfSize);
  for (let k = n; k >= 2; k--) {
    const w = vertex[k]!;
    retainedSize[idom[w]!] += retainedSize[w]!;
  }
  return { dominator: idom, retainedSize, reachable };
}

/**
 * essentialPredecessors is the reverse of the essential edges, nodes only:
 * what Lengauer–Tarjan needs, in half the memory of the full retainer index
 * (which also records edge indexes). Built per run and dropped after.
 */
function essentialPredecessors(snapshot: HeapSnapshot, essential: Uint8Array) {
  const n = snapshot.nodeCount;
  const { firstEdge, edgeToNode } = snapshot;
  const firstPredecessor = new Uint32Array(n + 1);
  for (let e = 0; e < snapshot.edgeCount; e++) if (essential[e]) firstPredecessor[edgeToNode[e]!]!++;
  const predecessor = new Uint32Array(countsToEnds(firstPredecessor));
  for (let from = n - 1; from >= 0; from--) {
    for (let e = firstEdge[from + 1]! - 1; e >= firstEdge[from]!; e--) {
      if (essential[e]) predecessor[--firstPredecessor[edgeToNode[e]!]!] = from;
    }
  }
  return { firstPredecessor, predecessor };
}
