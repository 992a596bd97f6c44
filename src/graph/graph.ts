import type { Line, Location, Profile } from '../profile/profile.js';
import { EdgeTable } from './edge-table.js';
import { GraphNode, type NodeInfo, nodeKey } from './node.js';
import { TagCollector } from './tag-collector.js';

/** Granularity is what one graph node stands for. */
export type Granularity = 'functions' | 'filefunctions' | 'files' | 'lines' | 'addresses';

/** GraphOptions are the graph layer's own options (the driver derives them from its Config). */
export interface GraphOptions {
  /** Index of the sample value to weigh by. */
  sampleIndex: number;
  /** Index of the value to divide by (for -mean), if any. */
  meanIndex?: number;
  granularity: Granularity;
  /** Keep only the last (outermost) frame of inlined locations. */
  noInlines?: boolean;
  /** Keep object file names in node identities (list, raw). */
  objNames?: boolean;
  /** Build a tree: the same function reached along different paths gives different nodes. */
  callTree?: boolean;
  dropNegative?: boolean;
  /** If set, only nodes whose nodeKey is in the set are kept (the rest become residual edges). */
  keptNodes?: Set<string>;
  /** Collect label tags on nodes (only -dot shows them). */
  collectTags?: boolean;
  /** Formats a numeric tag value of the given unit. */
  formatTag?: (value: number, unit: string) => string;
  /** Rewrites source file names (-trim_path). */
  mapFilename?: (file: string) => string;
}

/** Graph is a call graph: its nodes, each holding its in and out edges. */
export interface Graph {
  nodes: GraphNode[];
}

function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const s = (rooted ? '/' : '') + out.join('/');
  return s === '' ? '.' : s;
}

/**
 * nodeInfoFor is the identity of one frame at the chosen granularity — the
 * effect of pprof's Profile.Aggregate followed by graph.nodeInfo, without
 * changing the profile.
 */
function nodeInfoFor(l: Location, line: Line | undefined, o: GraphOptions, cleanFile: (f: string) => string): NodeInfo | undefined {
  const objfile = l.mapping?.file ?? '';
  const g = o.granularity;
  const inlinesKept = !o.noInlines;
  const keepAddress = g === 'addresses';
  const keepFunction = g !== 'files';
  const keepFile = g === 'files' || g === 'filefunctions' || g === 'lines' || g === 'addresses';
  const keepLine = g === 'lines' || g === 'addresses';
  const address = keepAddress ? l.address : 0n;
  void inlinesKept;
  if (!line) return { name: '', origName: '', address, file: '', startLine: 0, lineno: 0, objfile };
  const fn = line.function;
  const name = keepFunction ? fn.name : '';
  const info: NodeInfo = {
    name,
    origName: '',
    address,
    file: keepFile && fn.filename !== '' ? cleanFile(fn.filename) : '',
    startLine: 0,
    lineno: keepLine ? line.line : 0,
    objfile: '',
  };
  if (o.objNames || name === '') {
    info.objfile = objfile;
    info.startLine = fn.startLine;
  }
  return info;
}

/** NodeTable finds or creates nodes by identity, as pprof's NodeMap. */
class NodeTable {
  readonly byKey = new Map<string, GraphNode>();
  constructor(private readonly kept: Set<string> | undefined) {}

  findOrInsert(info: NodeInfo): GraphNode | undefined {
    const key = nodeKey(info);
    if (this.kept && !this.kept.has(key)) return undefined;
    let n = this.byKey.get(key);
    if (!n) {
      n = new GraphNode(info, key);
      this.byKey.set(key, n);
    }
    return n;
  }
}

/** locationLines gives the frames a location contributes at this granularity (the outermost only with noInlines). */
function locationLines(l: Location, o: GraphOptions): (Line | undefined)[] {
  if (l.lines.length === 0) return [undefined];
  if (o.noInlines && l.lines.length > 1) return [l.lines[l.lines.length - 1]];
  return l.lines;
}

function makeCleaner(o: GraphOptions): (f: string) => string {
  const cache = new Map<string, string>();
  return (f: string) => {
    let c = cache.get(f);
    if (c === undefined) {
      c = cleanPath(o.mapFilename ? o.mapFilename(f) : f);
      cache.set(f, c);
    }
    return c;
  };
}

/**
 * locationNodes maps each location index to its nodes, innermost frame
 * first (undefined where a node is not kept), as pprof's CreateNodes.
 */
export function createLocationNodes(p: Profile, o: GraphOptions): { table: Map<string, GraphNode>; locationNodes: (GraphNode | undefined)[][] } {
  const table = new NodeTable(o.keptNodes);
  const cleanFile = makeCleaner(o);
  const locationNodes = p.locations.map((l) => locationLines(l, o).map((ln) => {
    const info = nodeInfoFor(l, ln, o, cleanFile);
    return info ? table.findOrInsert(info) : undefined;
  }));
  return { table: table.byKey, locationNodes };
}

/** buildGraph builds the call graph of p (pprof's graph.New). */
export function buildGraph(p: Profile, o: GraphOptions): Graph {
  return o.callTree ? buildTree(p, o) : buildFlatGraph(p, o);
}

function buildFlatGraph(p: Profile, o: GraphOptions): Graph {
  const { table, locationNodes } = createLocationNodes(p, o);
  // Number the nodes and flatten location → node ids (-1: not kept).
  const nodes = [...table.values()];
  const idOf = new Map<GraphNode, number>();
  nodes.forEach((n, i) => idOf.set(n, i));
  const locStart = new Int32Array(locationNodes.length + 1);
  let total = 0;
  for (let l = 0; l < locationNodes.length; l++) { locStart[l] = total; total += locationNodes[l]!.length; }
  locStart[locationNodes.length] = total;
  const locNode = new Int32Array(total);
  for (let l = 0; l < locationNodes.length; l++) {
    const list = locationNodes[l]!;
    for (let k = 0; k < list.length; k++) locNode[locStart[l]! + k] = list[k] ? idOf.get(list[k]!)! : -1;
  }
  const nn = nodes.length;
  const flat = new Float64Array(nn), flatDiv = new Float64Array(nn), cum = new Float64Array(nn), cumDiv = new Float64Array(nn);
  const nodeStamp = new Int32Array(nn).fill(-1);
  const edges = new EdgeTable(nn * 4);
  // A frame is usually reached from the same caller as last time: remember
  // that caller and edge per frame, sparing most hash lookups.
  const lastParent = new Int32Array(total).fill(-1);
  const lastEdge = new Int32Array(total);

  const s = p.samples;
  const vc = s.valueCount;
  const k = o.sampleIndex;
  const mi = o.meanIndex;
  const tags = o.collectTags === true ? new TagCollector(p, o) : undefined;
  const starts = s.locationStarts;
  const idx = s.locationIndexes;
  const values = s.values;
  for (let i = 0; i < s.count; i++) {
    const w = values[i * vc + k]!;
    const dw = mi !== undefined ? values[i * vc + mi]! : 0;
    if (w === 0 && dw === 0) continue;
    tags?.beginSample(i);
    let parent = -1;
    let residual = false;
    for (let j = starts[i + 1]! - 1; j >= starts[i]!; j--) {
      const li = idx[j]!;
      const first = locStart[li]!;
      const last = locStart[li + 1]! - 1;
      for (let q = last; q >= first; q--) {
        const n = locNode[q]!;
        if (n < 0) {
          residual = true;
          continue;
        }
        if (nodeStamp[n] !== i) {
          nodeStamp[n] = i;
          cum[n]! += w;
          cumDiv[n]! += dw;
          tags?.add(n, w, dw, false);
        }
        if (parent >= 0 && n !== parent) {
          const inline = q !== last;
          let e: number;
          if (lastParent[q] === parent) e = lastEdge[q]!;
          else {
            e = edges.find(parent, n, residual, inline);
            lastParent[q] = parent;
            lastEdge[q] = e;
          }
          if (edges.stamp[e] !== i) {
            edges.stamp[e] = i;
            edges.weight[e]! += w;
            edges.weightDiv[e]! += dw;
            if (residual) edges.residual[e] = 1;
            if (!inline) edges.inline[e] = 0;
          }
        }
        parent = n;
        residual = false;
      }
    }
    if (parent >= 0 && !residual) {
      flat[parent]! += w;
      flatDiv[parent]! += dw;
      tags?.add(parent, w, dw, true);
    }
  }
  tags?.materialize(nodes);
  for (let n = 0; n < nn; n++) {
    const node = nodes[n]!;
    node.flat = flat[n]!;
    node.flatDiv = flatDiv[n]!;
    node.cum = cum[n]!;
    node.cumDiv = cumDiv[n]!;
  }
  for (let e = 0; e < edges.size; e++) {
    const edge = nodes[edges.src[e]!]!.addToEdge(nodes[edges.dest[e]!]!, edges.weightDiv[e]!, edges.weight[e]!, edges.residual[e] === 1, edges.inline[e] === 1);
    edge.residual = edges.residual[e] === 1;
    edge.inline = edges.inline[e] === 1;
  }
  return selectNodes(nodes, o.dropNegative === true);
}

function isNegative(n: GraphNode): boolean {
  return n.flat < 0 || (n.flat === 0 && n.cum < 0);
}

function selectNodes(nodes: Iterable<GraphNode>, dropNegative: boolean): Graph {
  const out: GraphNode[] = [];
  for (const n of nodes) {
    if (n.cum === 0 && n.flat === 0) continue;
    if (dropNegative && isNegative(n)) continue;
    out.push(n);
  }
  return { nodes: out };
}

function buildTree(p: Profile, o: GraphOptions): Graph {
  const cleanFile = makeCleaner(o);
  const childTables = new Map<GraphNode | undefined, NodeTable>();
  const all: GraphNode[] = [];
  const idOf = new Map<GraphNode, number>();
  const s = p.samples;
  const vc = s.valueCount;
  const tags = o.collectTags === true ? new TagCollector(p, o) : undefined;
  for (let i = 0; i < s.count; i++) {
    const w = s.values[i * vc + o.sampleIndex]!;
    const dw = o.meanIndex !== undefined ? s.values[i * vc + o.meanIndex]! : 0;
    if (w === 0 && dw === 0) continue;
    tags?.beginSample(i);
    let parent: GraphNode | undefined;
    for (let j = s.locationStarts[i + 1]! - 1; j >= s.locationStarts[i]!; j--) {
      const l = p.locations[s.locationIndexes[j]!]!;
      const lines = locationLines(l, o);
      for (let li = lines.length - 1; li >= 0; li--) {
        let t = childTables.get(parent);
        if (!t) {
          t = new NodeTable(o.keptNodes);
          childTables.set(parent, t);
        }
        const info = nodeInfoFor(l, lines[li], o, cleanFile);
        const before = t.byKey.size;
        const n = info ? t.findOrInsert(info) : undefined;
        if (!n) continue;
        if (t.byKey.size !== before) {
          idOf.set(n, all.length);
          all.push(n);
        }
        n.cum += w;
        n.cumDiv += dw;
        tags?.add(idOf.get(n)!, w, dw, false);
        if (parent) parent.addToEdge(n, dw, w, false, li !== lines.length - 1);
        parent = n;
      }
    }
    if (parent) {
      parent.flat += w;
      parent.flatDiv += dw;
      tags?.add(idOf.get(parent)!, w, dw, true);
    }
  }
  tags?.materialize(all);
  return selectNodes(all, o.dropNegative === true);
}
