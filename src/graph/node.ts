/** NodeInfo identifies a graph node: the parts of a frame kept at the chosen granularity. */
export interface NodeInfo {
  name: string;
  origName: string;
  address: bigint;
  file: string;
  startLine: number;
  lineno: number;
  objfile: string;
}

/** Tag is one label value's weight at a node (for the nodelets of -dot). */
export interface Tag {
  name: string;
  unit: string;
  value: number;
  flat: number;
  flatDiv: number;
  cum: number;
  cumDiv: number;
}

/** Edge is a caller → callee arc with the weight of the samples through it. */
export interface Edge {
  src: GraphNode;
  dest: GraphNode;
  weight: number;
  weightDiv: number;
  /** The path skips nodes that were trimmed away. */
  residual: boolean;
  /** The callee was inlined into the caller. */
  inline: boolean;
  /** Sample stamp of the last sample that added to this edge (counts each edge once per sample). */
  stamp: number;
}

function goBaseName(path: string): string {
  if (path === '') return '.';
  let p = path;
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** nameComponents returns the parts of a node's printable name (address, function, file:line or object). */
export function nameComponents(info: NodeInfo): string[] {
  const name: string[] = [];
  if (info.address !== 0n) name.push(info.address.toString(16).padStart(16, '0'));
  if (info.name !== '') name.push(info.name);
  if (info.lineno !== 0) name.push(`${info.file}:${info.lineno}`);
  else if (info.file !== '') name.push(info.file);
  else if (info.name !== '') { /* the name says it all */ }
  else if (info.objfile !== '') name.push('[' + goBaseName(info.objfile) + ']');
  else name.push('<unknown>');
  return name;
}

/** printableName is how reports name a node, as pprof's NodeInfo.PrintableName. */
export function printableName(info: NodeInfo): string {
  return nameComponents(info).join(' ');
}

/** nodeKey is a string identity of a NodeInfo, for maps and kept-node sets. */
export function nodeKey(info: NodeInfo): string {
  return `${info.name}\u0000${info.origName}\u0000${info.address}\u0000${info.file}\u0000${info.startLine}\u0000${info.lineno}\u0000${info.objfile}`;
}

/** GraphNode is a function (or line, file, address) with its flat and cumulative weight and its edges. */
export class GraphNode {
  flat = 0;
  flatDiv = 0;
  cum = 0;
  cumDiv = 0;
  readonly in = new Map<GraphNode, Edge>();
  readonly out = new Map<GraphNode, Edge>();
  /** Label tags keyed by joined labels; numeric tags keyed by joined labels then formatted value. */
  readonly labelTags = new Map<string, Tag>();
  readonly numericTags = new Map<string, Map<string, Tag>>();
  /** Stamp of the last sample that added to this node (counts a node once per sample). */
  stamp = -1;
  private printable: string | undefined;
  private sortKey: string | undefined;

  constructor(readonly info: NodeInfo, readonly key: string) {}

  /** flatValue is the flat weight, divided for -mean. */
  flatValue(): number {
    return this.flatDiv === 0 ? this.flat : Math.trunc(this.flat / this.flatDiv);
  }

  cumValue(): number {
    return this.cumDiv === 0 ? this.cum : Math.trunc(this.cum / this.cumDiv);
  }

  /** name is the printable name, computed once. */
  name(): string {
    return (this.printable ??= printableName(this.info));
  }

  /** infoString is the last tie-breaker of node orders (pprof compares fmt.Sprint of the info). */
  infoString(): string {
    const i = this.info;
    return (this.sortKey ??= `{${i.name} ${i.origName} ${i.address} ${i.file} ${i.startLine} ${i.lineno} ${i.objfile}}`);
  }

  /** addToEdge adds weight to the edge this → to, creating it, as pprof's AddToEdgeDiv. */
  addToEdge(to: GraphNode, dv: number, v: number, residual: boolean, inline: boolean, stamp = -1): Edge {
    const e = this.out.get(to);
    if (e) {
      e.weightDiv += dv;
      e.weight += v;
      if (residual) e.residual = true;
      if (!inline) e.inline = false;
      e.stamp = stamp;
      return e;
    }
    const edge: Edge = { src: this, dest: to, weight: v, weightDiv: dv, residual, inline, stamp };
    this.out.set(to, edge);
    to.in.set(this, edge);
    return edge;
  }
}

/** edgeWeightValue is an edge's weight, divided for -mean. */
export function edgeWeightValue(e: Edge): number {
  return e.weightDiv === 0 ? e.weight : Math.trunc(e.weight / e.weightDiv);
}

/** sortEdges orders edges by decreasing |weight|, then source and destination names. */
export function sortEdges(edges: Iterable<Edge>): Edge[] {
  const list = [...edges];
  list.sort((a, b) => {
    if (a.weight !== b.weight) return Math.abs(b.weight) - Math.abs(a.weight);
    const fa = a.src.name(), fb = b.src.name();
    if (fa !== fb) return fa < fb ? -1 : 1;
    const ta = a.dest.name(), tb = b.dest.name();
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  });
  return list;
}
