import type { HeapSnapshot } from './heap-snapshot.js';

const memo = new WeakMap<HeapSnapshot, Uint8Array>();

/**
 * essentialEdges marks, for each edge, whether it keeps its target alive in
 * the sense of Chrome DevTools' dominator tree, so every analysis here agrees
 * on one graph:
 *
 * - weak edges never retain;
 * - shortcut edges retain only from the root (there they point at the user
 *   roots, e.g. the global object; elsewhere they repeat a real path);
 * - self references are dropped;
 * - an edge from an object not owned by the user roots into one that is
 *   (DevTools' "page-owned" flag: reachable from a user root without weak
 *   edges) is ignored, so internal bookkeeping (handles, the debugger, the
 *   compilation cache) does not become the dominator of user objects.
 *
 * Returns one byte per edge: 1 essential, 0 not.
 */
export function essentialEdges(snapshot: HeapSnapshot): Uint8Array {
  const known = memo.get(snapshot);
  if (known) return known;
  const { firstEdge, edgeToNode, edgeType, nodeCount, rootOrdinal } = snapshot;
  const weak = snapshot.types.edgeWeak;
  const shortcut = snapshot.types.edgeShortcut;
  const userOwned = userOwnedNodes(snapshot);
  const essential = new Uint8Array(snapshot.edgeCount);
  for (let from = 0; from < nodeCount; from++) {
    const end = firstEdge[from + 1]!;
    const fromOwned = userOwned[from]!;
    for (let e = firstEdge[from]!; e < end; e++) {
      const t = edgeType[e]!;
      const to = edgeToNode[e]!;
      if (t === weak || to === from) continue;
      if (from !== rootOrdinal) {
        if (t === shortcut) continue;
        if (userOwned[to]! && !fromOwned) continue;
      }
      essential[e] = 1;
    }
  }
  memo.set(snapshot, essential);
  return essential;
}

/**
 * userOwnedNodes flags the objects reachable from the root's shortcut edges
 * (the user roots: in Node the global object), as DevTools' markPageOwnedNodes
 * does. Unlike DevTools it does not follow shortcut edges on the way either,
 * so every user-owned object stays reachable through essential edges (else
 * one reached only through a shortcut would lose all its retainers).
 */
export function userOwnedNodes(snapshot: HeapSnapshot): Uint8Array {
  const { firstEdge, edgeToNode, edgeType, nodeCount, rootOrdinal } = snapshot;
  const weak = snapshot.types.edgeWeak;
  const shortcut = snapshot.types.edgeShortcut;
  const owned = new Uint8Array(nodeCount);
  const stack = new Uint32Array(nodeCount);
  let sp = 0;
  for (let e = firstEdge[rootOrdinal]!; e < firstEdge[rootOrdinal + 1]!; e++) {
    if (edgeType[e] !== shortcut) continue;
    const to = edgeToNode[e]!;
    if (!owned[to]) {
      owned[to] = 1;
      stack[sp++] = to;
    }
  }
  while (sp > 0) {
    const n = stack[--sp]!;
    const end = firstEdge[n + 1]!;
    for (let e = firstEdge[n]!; e < end; e++) {
      if (edgeType[e] === weak || edgeType[e] === shortcut) continue;
      const to = edgeToNode[e]!;
      if (owned[to]) continue;
      owned[to] = 1;
      stack[sp++] = to;
    }
  }
  return owned;
}
