import type { AllocationTraces } from './allocation-traces.js';
import { countsToOffsets } from './offsets.js';
import type { SnapshotLayout } from './snapshot-meta.js';

/**
 * HeapSnapshotColumns is the decoded content of a V8 heap snapshot, one
 * typed array per field ("columns") rather than V8's interleaved records, so
 * each field has the narrowest type and no per-object allocation is made.
 * Edges are stored in node order: node n owns edges firstEdge[n]..firstEdge[n+1].
 */
export interface HeapSnapshotColumns {
  layout: SnapshotLayout;
  /** Index into layout.nodeTypes. */
  nodeType: Uint8Array;
  /** Index into strings. */
  nodeName: Uint32Array;
  /** V8's object id: stable for the life of the object across snapshots of one process. */
  nodeId: Uint32Array;
  nodeSelfSize: Float64Array;
  nodeEdgeCount: Uint32Array;
  /** Index into layout.edgeTypes. */
  edgeType: Uint8Array;
  /** For element and hidden edges an index, for the others an index into strings. */
  edgeNameOrIndex: Uint32Array;
  /** Target node ordinal (V8 stores an offset into the node array; it is divided on load). */
  edgeToNode: Uint32Array;
  strings: string[];
  /** Raw `locations` records (layout.locationFields each), when the file has them. */
  locations: Uint32Array | undefined;
  /** With allocation tracking: each node's trace node id (0: allocated before tracking began) and the traces. */
  nodeTraceId?: Uint32Array;
  traces?: AllocationTraces;
}

/** Retainers is the reverse edge index: who points at node n, through which edge. */
export interface Retainers {
  /** Node n's retainers are entries firstRetainer[n]..firstRetainer[n+1]. */
  firstRetainer: Uint32Array;
  /** Edge index of each retaining edge. */
  retainerEdge: Uint32Array;
  /** Ordinal of the node that owns that edge. */
  retainerNode: Uint32Array;
}

/** Numeric codes of the node and edge types the analyses care about (-1 when the file has no such type). */
export interface TypeCodes {
  hidden: number; array: number; string: number; object: number; code: number; closure: number;
  regexp: number; number: number; native: number; synthetic: number; concatenatedString: number;
  slicedString: number; symbol: number; bigint: number; objectShape: number;
  edgeContext: number; edgeElement: number; edgeProperty: number; edgeInternal: number;
  edgeHidden: number; edgeShortcut: number; edgeWeak: number;
}

/** The suffix V8 14 adds to the global object's name. */
const globalMarker = ' (global*)';

/**
 * HeapSnapshot is a read-only V8 heap snapshot with accessors by node ordinal
 * (0 = the synthetic root) and edge index. Derived indexes (retainers, id
 * lookup) are built on first use and memoized; the columns are never changed.
 */
export class HeapSnapshot {
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly strings: readonly string[];
  readonly layout: SnapshotLayout;
  readonly nodeType: Uint8Array;
  readonly nodeName: Uint32Array;
  readonly nodeId: Uint32Array;
  readonly nodeSelfSize: Float64Array;
  readonly edgeType: Uint8Array;
  readonly edgeNameOrIndex: Uint32Array;
  readonly edgeToNode: Uint32Array;
  readonly locations: Uint32Array | undefined;
  /** With allocation tracking (a snapshot taken while V8 tracked allocations): each node's trace id, and the traces. */
  readonly nodeTraceId: Uint32Array | undefined;
  readonly traces: AllocationTraces | undefined;
  /** Node n's outgoing edges are firstEdge[n]..firstEdge[n+1]. */
  readonly firstEdge: Uint32Array;
  readonly types: TypeCodes;
  /** The ordinal of the synthetic root every analysis starts from. */
  readonly rootOrdinal = 0;
  private retainerIndex: Retainers | undefined;
  private idIndex: { ids: Float64Array; ordinals: Uint32Array } | undefined;

  constructor(columns: HeapSnapshotColumns) {
    this.layout = columns.layout;
    this.nodeType = columns.nodeType;
    this.nodeName = columns.nodeName;
    this.nodeId = columns.nodeId;
    this.nodeSelfSize = columns.nodeSelfSize;
    this.edgeType = columns.edgeType;
    this.edgeNameOrIndex = columns.edgeNameOrIndex;
    this.edgeToNode = columns.edgeToNode;
    this.strings = columns.strings;
    this.locations = columns.locations;
    this.nodeTraceId = columns.nodeTraceId;
    this.traces = columns.traces;
    this.nodeCount = columns.nodeType.length;
    this.edgeCount = columns.edgeType.length;
    const firstEdge = new Uint32Array(this.nodeCount + 1);
    let edge = 0;
    for (let n = 0; n < this.nodeCount; n++) {
      firstEdge[n] = edge;
      edge += columns.nodeEdgeCount[n]!;
    }
    firstEdge[this.nodeCount] = edge;
    this.firstEdge = firstEdge;
    const nt = this.layout.nodeTypes;
    const et = this.layout.edgeTypes;
    this.types = {
      hidden: nt.indexOf('hidden'), array: nt.indexOf('array'), string: nt.indexOf('string'),
      object: nt.indexOf('object'), code: nt.indexOf('code'), closure: nt.indexOf('closure'),
      regexp: nt.indexOf('regexp'), number: nt.indexOf('number'), native: nt.indexOf('native'),
      synthetic: nt.indexOf('synthetic'), concatenatedString: nt.indexOf('concatenated string'),
      slicedString: nt.indexOf('sliced string'), symbol: nt.indexOf('symbol'), bigint: nt.indexOf('bigint'),
      objectShape: nt.indexOf('object shape'),
      edgeContext: et.indexOf('context'), edgeElement: et.indexOf('element'), edgeProperty: et.indexOf('property'),
      edgeInternal: et.indexOf('internal'), edgeHidden: et.indexOf('hidden'), edgeShortcut: et.indexOf('shortcut'),
      edgeWeak: et.indexOf('weak'),
    };
  }

  /** nodeTypeName is V8's type of node n ("object", "sliced string", …). */
  nodeTypeName(n: number): string {
    return this.layout.nodeTypes[this.nodeType[n]!] ?? 'unknown';
  }

  /**
   * isNativeContext tells whether node n is a native context (a realm's global scope). V8 names it
   * "system / NativeContext", and "system / NativeContext / URL" in snapshots taken while it tracks
   * allocations (Node 26 and up).
   */
  isNativeContext(n: number): boolean {
    const name = this.nameOf(n);
    return name === 'system / NativeContext' || name.startsWith('system / NativeContext / ');
  }

  /** nameOf is V8's name of node n: the constructor for objects, the text for strings. */
  nameOf(n: number): string {
    return this.strings[this.nodeName[n]!] ?? '';
  }

  /**
   * classNameOf groups nodes the way DevTools' Summary view does: objects by
   * constructor name, everything else by its type in parentheses.
   */
  classNameOf(n: number): string {
    const t = this.nodeType[n]!;
    const types = this.types;
    if (t === types.object || t === types.native) {
      // V8 14 (Node 26) marks the global object in its name, "global (global*)"; earlier V8 names it "global".
      const name = this.nameOf(n);
      return name.endsWith(globalMarker) ? name.slice(0, -globalMarker.length) : name;
    }
    if (t === types.hidden) return '(system)';
    if (t === types.code) return '(compiled code)';
    if (t === types.closure) return '(closure)';
    return `(${this.nodeTypeName(n)})`;
  }

  /** isString tells whether node n is a string of any representation. */
  isString(n: number): boolean {
    const t = this.nodeType[n]!;
    return t === this.types.string || t === this.types.slicedString || t === this.types.concatenatedString;
  }

  /** edgeTypeName is V8's type of edge e ("property", "weak", …). */
  edgeTypeName(e: number): string {
    return this.layout.edgeTypes[this.edgeType[e]!] ?? 'unknown';
  }

  /** edgeIsIndexed tells whether edge e is named by a number (element and hidden edges). */
  edgeIsIndexed(e: number): boolean {
    const t = this.edgeType[e]!;
    return t === this.types.edgeElement || t === this.types.edgeHidden;
  }

  /** edgeNameOf is edge e's property name, or its index as text for element and hidden edges. */
  edgeNameOf(e: number): string {
    const v = this.edgeNameOrIndex[e]!;
    return this.edgeIsIndexed(e) ? String(v) : this.strings[v] ?? String(v);
  }

  /** ownerOf finds the node that owns edge e (binary search over firstEdge). */
  ownerOf(e: number): number {
    const first = this.firstEdge;
    let lo = 0;
    let hi = this.nodeCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (first[mid]! <= e) lo = mid;
      else hi = mid - 1;
    }
    // Nodes without edges share a firstEdge value; the owner is the last of them.
    return lo;
  }

  /**
   * isEssentialEdge is DevTools' rule for which references keep an object
   * alive: weak edges never do, and shortcut edges only from the root (there
   * they mark user roots; elsewhere they duplicate a real path, e.g. a bound
   * function's target). Self references are dropped too.
   */
  isEssentialEdge(from: number, e: number): boolean {
    const t = this.edgeType[e]!;
    if (t === this.types.edgeWeak) return false;
    if (t === this.types.edgeShortcut && from !== this.rootOrdinal) return false;
    return this.edgeToNode[e] !== from;
  }

  /** retainers returns the reverse edge index, built on first use. */
  retainers(): Retainers {
    if (this.retainerIndex) return this.retainerIndex;
    const n = this.nodeCount;
    const firstRetainer = new Uint32Array(n + 1);
    const toNode = this.edgeToNode;
    for (let e = 0; e < this.edgeCount; e++) firstRetainer[toNode[e]!]!++;
    countsToOffsets(firstRetainer);
    const cursor = firstRetainer.slice(0, n);
    const retainerEdge = new Uint32Array(this.edgeCount);
    const retainerNode = new Uint32Array(this.edgeCount);
    const firstEdge = this.firstEdge;
    for (let from = 0; from < n; from++) {
      const end = firstEdge[from + 1]!;
      for (let e = firstEdge[from]!; e < end; e++) {
        const slot = cursor[toNode[e]!]!++;
        retainerEdge[slot] = e;
        retainerNode[slot] = from;
      }
    }
    this.retainerIndex = { firstRetainer, retainerEdge, retainerNode };
    return this.retainerIndex;
  }

  /** ordinalOfId finds the node with V8 object id `id`, or -1. */
  ordinalOfId(id: number): number {
    const index = this.idIndexBuilt();
    const ids = index.ids;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[mid]!;
      if (v === id) return index.ordinals[mid]!;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** hasId tells whether an object with V8 id `id` is in this snapshot. */
  hasId(id: number): boolean {
    return this.ordinalOfId(id) >= 0;
  }

  private idIndexBuilt() {
    if (this.idIndex) return this.idIndex;
    const order = new Uint32Array(this.nodeCount);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const nodeId = this.nodeId;
    // V8 emits nodes mostly in id order; sorting an index array keeps the lookup exact regardless.
    const ordinals = order.sort((a, b) => nodeId[a]! - nodeId[b]!);
    const ids = new Float64Array(ordinals.length);
    for (let i = 0; i < ids.length; i++) ids[i] = nodeId[ordinals[i]!]!;
    this.idIndex = { ids, ordinals };
    return this.idIndex;
  }
}
