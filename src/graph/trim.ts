import type { Graph } from './graph.js';
import { type GraphNode, type Tag, sortEdges } from './node.js';

/** maxNodelets is how many tag boxes -dot hangs on a node. */
export const maxNodelets = 4;

/** NodeOrder names the orders reports sort nodes in. */
export type NodeOrder = 'flat' | 'cum' | 'entropy';

function compareNodes(l: GraphNode, r: GraphNode): number {
  const a = l.infoString(), b = r.infoString();
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNames(l: GraphNode, r: GraphNode): number {
  const a = l.name(), b = r.name();
  return a < b ? -1 : a > b ? 1 : 0;
}

/** sortNodes orders nodes as pprof: by |flat| (or |cum|, or entropy score), then name, then the rest. */
export function sortNodes(nodes: GraphNode[], order: NodeOrder): void {
  if (order === 'flat') {
    nodes.sort((l, r) => {
      const a = Math.abs(l.flat), b = Math.abs(r.flat);
      if (a !== b) return b - a;
      const c = compareNames(l, r);
      if (c !== 0) return c;
      const ca = Math.abs(l.cum), cb = Math.abs(r.cum);
      if (ca !== cb) return cb - ca;
      return compareNodes(l, r);
    });
    return;
  }
  // Scores are int64 in pprof, with its overflow quirks (see entropyScore): bigint here.
  const score = new Map<GraphNode, bigint>();
  for (const n of nodes) score.set(n, order === 'cum' ? BigInt(n.cum) : entropyScore(n));
  nodes.sort((l, r) => {
    const a = abs64(score.get(l)!), b = abs64(score.get(r)!);
    if (a !== b) return a > b ? -1 : 1;
    const c = compareNames(l, r);
    if (c !== 0) return c;
    const fa = Math.abs(l.flat), fb = Math.abs(r.flat);
    if (fa !== fb) return fb - fa;
    return compareNodes(l, r);
  });
}

const minInt64 = -(2n ** 63n);

/** abs64 is |x| in int64 arithmetic, where |minInt64| overflows to itself. */
function abs64(x: bigint): bigint {
  return x < 0n ? BigInt.asIntN(64, -x) : x;
}

/**
 * entropyScore favours nodes whose edges spread weight (entry, exit and hub
 * nodes) for the graph's node order. An edge of weight 0 makes the float
 * score NaN in pprof, and Go converts NaN (or an out-of-range float) to the
 * minimum int64 on amd64; the arithmetic after that wraps. Kept as is, so
 * that -dot numbers its nodes as pprof does.
 */
function entropyScore(n: GraphNode): bigint {
  let score = 0;
  score += n.in.size === 0 ? 1 : edgeEntropyScore(n.in.values(), 0);
  score += n.out.size === 0 ? 1 : edgeEntropyScore(n.out.values(), n.flat);
  const product = score * n.cum;
  const asInt = Number.isFinite(product) && Math.abs(product) < 2 ** 63 ? BigInt(Math.trunc(product)) : minInt64;
  return BigInt.asIntN(64, asInt + BigInt(n.flat));
}

function edgeEntropyScore(edgesIt: Iterable<{ weight: number }>, self: number): number {
  const edges = [...edgesIt];
  let score = 0;
  let total = self;
  for (const e of edges) if (e.weight > 0) total += Math.abs(e.weight);
  if (total !== 0) {
    for (const e of edges) {
      const frac = Math.abs(e.weight) / total;
      score += -frac * Math.log2(frac);
    }
    if (self > 0) {
      const frac = Math.abs(self) / total;
      score += -frac * Math.log2(frac);
    }
  }
  return score;
}

/** nodesAboveCutoff keeps nodes whose |cum| reaches the cutoff. */
export function nodesAboveCutoff(nodes: GraphNode[], cutoff: number): GraphNode[] {
  return nodes.filter((n) => Math.abs(n.cum) >= cutoff);
}

/** keySet is the identity set of nodes, for rebuilding a graph with only them. */
export function keySet(nodes: GraphNode[]): Set<string> {
  return new Set(nodes.map((n) => n.key));
}

function countTags(n: GraphNode): number {
  let count = 0;
  for (const t of n.labelTags.values()) if (t.flat !== 0) count++;
  for (const m of n.numericTags.values()) for (const t of m.values()) if (t.flat !== 0) count++;
  return count;
}

/** selectTopNodes returns the first maxNodes nodes (in visual mode, counting nodelets against the budget). */
export function selectTopNodes(g: Graph, maxNodes: number, visualMode: boolean): GraphNode[] {
  if (maxNodes > 0 && visualMode) {
    let count = 0;
    for (let i = 0; i < g.nodes.length; i++) {
      const tags = Math.min(countTags(g.nodes[i]!), maxNodelets);
      count += tags + 1;
      if (count >= maxNodes) {
        maxNodes = i + 1;
        break;
      }
    }
  }
  if (maxNodes > g.nodes.length) maxNodes = g.nodes.length;
  return g.nodes.slice(0, Math.max(0, maxNodes));
}

function trimTagMap(tags: Map<string, Tag>, min: number): Map<string, Tag> {
  const kept = new Map<string, Tag>();
  for (const [k, t] of tags) if (Math.abs(t.flat) >= min || Math.abs(t.cum) >= min) kept.set(k, t);
  return kept;
}

/** trimLowFrequencyTags drops tags lighter than the cutoff. */
export function trimLowFrequencyTags(g: Graph, cutoff: number): void {
  for (const n of g.nodes) {
    const lt = trimTagMap(n.labelTags, cutoff);
    n.labelTags.clear();
    for (const [k, v] of lt) n.labelTags.set(k, v);
    for (const [s, m] of n.numericTags) n.numericTags.set(s, trimTagMap(m, cutoff));
  }
}

/** trimLowFrequencyEdges drops edges lighter than the cutoff and returns how many. */
export function trimLowFrequencyEdges(g: Graph, cutoff: number): number {
  let dropped = 0;
  for (const n of g.nodes) {
    for (const [src, e] of n.in) {
      if (Math.abs(e.weight) < cutoff) {
        n.in.delete(src);
        src.out.delete(n);
        dropped++;
      }
    }
  }
  return dropped;
}

/**
 * trimTree removes the nodes not in kept from a call tree, linking each
 * removed node's children to its parent with residual edges.
 */
export function trimTree(g: Graph, kept: Set<GraphNode>): void {
  const old = g.nodes;
  g.nodes = [];
  for (const cur of old) {
    if (kept.has(cur)) {
      g.nodes.push(cur);
      continue;
    }
    if (cur.in.size === 0) {
      for (const e of cur.out.values()) e.dest.in.delete(cur);
      continue;
    }
    const parent = [...cur.in.values()][0]!.src;
    const parentEdgeInline = parent.out.get(cur)!.inline;
    parent.out.delete(cur);
    for (const outEdge of cur.out.values()) {
      const child = outEdge.dest;
      child.in.delete(cur);
      child.in.set(parent, outEdge);
      parent.out.set(child, outEdge);
      outEdge.src = parent;
      outEdge.residual = true;
      outEdge.inline = parentEdgeInline && outEdge.inline;
    }
  }
  removeRedundantEdges(g);
}

function isRedundantEdge(e: { src: GraphNode; dest: GraphNode }): boolean {
  const src = e.src;
  const seen = new Set<GraphNode>([e.dest]);
  const queue: GraphNode[] = [e.dest];
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const ie of n.in.values()) {
      if (ie === e || seen.has(ie.src)) continue;
      if (ie.src === src) return true;
      seen.add(ie.src);
      queue.push(ie.src);
    }
  }
  return false;
}

/** removeRedundantEdges drops residual edges whose endpoints are connected another way. */
export function removeRedundantEdges(g: Graph): void {
  for (let i = g.nodes.length; i > 0; i--) {
    const n = g.nodes[i - 1]!;
    const inEdges = sortEdges(n.in.values());
    for (let j = inEdges.length; j > 0; j--) {
      const e = inEdges[j - 1]!;
      if (!e.residual) break;
      if (isRedundantEdge(e)) {
        e.src.out.delete(e.dest);
        e.dest.in.delete(e.src);
      }
    }
  }
}
