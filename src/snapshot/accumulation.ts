import { dominatorsOf } from './dominators.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import { collectionOf } from './leak-signatures.js';
import { nodeLabel } from './path-format.js';
import { type EarlierSnapshot, entriesThen } from './snapshot-digest.js';

/**
 * AccumulationPoint is where the objects a process kept between two heap
 * snapshots pile up: the one object (a Map, Set, Array, object used as a map,
 * listener list, promise reaction chain, …) that owns most of them, as Eclipse
 * MAT's leak suspects name the accumulation point below a suspect.
 */
export interface AccumulationPoint {
  /** The owner's ordinal in the last snapshot, and its V8 id. */
  node: number;
  id: number;
  /** What it is: "Map", "Array", "Object (used as a map)", "Promise", or its class. */
  kind: string;
  /** Bytes and objects, new since the first snapshot and still alive, that it holds (dominates). */
  newBytes: number;
  newObjects: number;
  /** Its entries at the end, and at the start when it existed then (undefined: it is new). */
  entriesNow: number;
  entriesThen: number | undefined;
  /** Its retained size at the end. */
  retainedSize: number;
  /** What a typical entry is: the class most of its new direct children have, and their typical retained size. */
  entryClass: string;
  entryBytes: number;
  /** The field through which a typical entry holds most of its new mass (`lastResponse`), if one does. */
  entryField?: string;
}

/** AccumulationOptions tunes accumulationPoints. */
export interface AccumulationOptions {
  /** How many points to return (default 5). */
  limit?: number;
  /** Smallest share of all new bytes a point must hold (default 0.05). */
  minShare?: number;
}

/**
 * accumulationPoints finds the owners of what grew between `start` and `end`
 * (two snapshots of one process). An object is new when its V8 id is not in
 * `start`. Each node's new mass is the size of the new objects it dominates.
 * Walking down the dominator tree from the root, the mass stays in one child
 * while it is held through one reference, and spreads where it accumulates:
 * a node whose new mass is not mostly in any one child (a collection of many
 * entries), or the head of a chain of one class (a linked list of promise
 * reactions or timers). V8's backing stores (a Map's table, an array's
 * elements) are lifted to the object that owns them. A point that holds most
 * of another point's mass explains it, so only the innermost is kept.
 */
export function accumulationPoints(start: EarlierSnapshot, end: HeapSnapshot, options: AccumulationOptions = {}): AccumulationPoint[] {
  const limit = options.limit ?? 5;
  const minShare = options.minShare ?? 0.05;
  const { dominator, retainedSize, reachable } = dominatorsOf(end);
  const n = end.nodeCount;
  const types = end.types;
  const ignored = new Set([types.code, types.objectShape, types.synthetic].filter((t) => t >= 0));
  // Dominator tree children, in CSR form, and a top-down order.
  const childStart = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) if (v !== end.rootOrdinal && reachable[v]) childStart[dominator[v]! + 1]!++;
  for (let v = 0; v < n; v++) childStart[v + 1]! += childStart[v]!;
  const children = new Uint32Array(childStart[n]!);
  const cursor = childStart.slice(0, n);
  for (let v = 0; v < n; v++) if (v !== end.rootOrdinal && reachable[v]) children[cursor[dominator[v]!]!++] = v;
  const order = new Uint32Array(n);
  let size = 0;
  order[size++] = end.rootOrdinal;
  for (let i = 0; i < size; i++) {
    const v = order[i]!;
    for (let c = childStart[v]!; c < childStart[v + 1]!; c++) order[size++] = children[c]!;
  }
  // New mass per node, bottom-up.
  const isNew = new Uint8Array(n);
  const mass = new Float64Array(n);
  const count = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    if (!reachable[v] || ignored.has(end.nodeType[v]!) || start.hasId(end.nodeId[v]!)) continue;
    isNew[v] = 1;
    mass[v] = end.nodeSelfSize[v]!;
    count[v] = 1;
  }
  for (let i = size - 1; i > 0; i--) {
    const v = order[i]!;
    mass[dominator[v]!]! += mass[v]!;
    count[dominator[v]!]! += count[v]!;
  }
  const total = mass[end.rootOrdinal]!;
  if (total <= 0) return [];
  const floor = total * minShare;
  // Points, innermost first: explained[v] is the mass of accepted points below v.
  const explained = new Float64Array(n);
  const pointsBelow = new Uint32Array(n);
  const accepted: number[] = [];
  for (let i = size - 1; i >= 0; i--) {
    const v = order[i]!;
    let heaviest = -1;
    for (let c = childStart[v]!; c < childStart[v + 1]!; c++) {
      const child = children[c]!;
      explained[v]! += explained[child]!;
      pointsBelow[v]! += pointsBelow[child]!;
      if (heaviest < 0 || mass[child]! > mass[heaviest]!) heaviest = child;
    }
    if (mass[v]! < floor || v === end.rootOrdinal || end.nodeType[v] === types.synthetic) continue;
    const spread = heaviest < 0 || mass[heaviest]! < 0.5 * mass[v]!;
    const chainHead =
      heaviest >= 0 &&
      end.nodeName[heaviest] === end.nodeName[v] &&
      end.nodeType[heaviest] === end.nodeType[v] &&
      !(end.nodeName[dominator[v]!] === end.nodeName[v] && end.nodeType[dominator[v]!] === end.nodeType[v]);
    if (!spread && !chainHead) continue;
    // Points below that hold most of this one explain it, unless they are many
    // alike (a Map of arrays): then this is where they accumulate.
    if (explained[v]! >= 0.5 * mass[v]! && !(spread && pointsBelow[v]! >= 3)) continue;
    accepted.push(v);
    explained[v] = mass[v]!;
    pointsBelow[v] = 1;
  }
  // A point inside another (absorbed by the rule above) is part of it.
  const acceptedSet = new Set(accepted);
  const outermost = accepted.filter((v) => {
    for (let up = dominator[v]!, hops = 0; up !== end.rootOrdinal && hops < 10_000; up = dominator[up]!, hops++) if (acceptedSet.has(up)) return false;
    return true;
  });
  // Lift V8's plumbing to the object that owns it, merging points that share an owner.
  const byOwner = new Map<number, number>();
  for (const v of outermost) {
    const owner = liftToOwner(end, v, dominator);
    const known = byOwner.get(owner);
    if (known === undefined || mass[v]! > mass[known]!) byOwner.set(owner, v);
  }
  const points = [...byOwner].map(([owner, v]) => describePoint(start, end, owner, v, { mass, count, isNew, retainedSize, childStart, children }));
  return points.sort((a, b) => b.newBytes - a.newBytes).slice(0, limit);
}

/** liftToOwner walks up from one of V8's backing stores (hidden, array, closure context) to the JS object that owns it. */
function liftToOwner(snapshot: HeapSnapshot, v: number, dominator: Uint32Array): number {
  const types = snapshot.types;
  let at = v;
  for (let hops = 0; hops < 4; hops++) {
    const t = snapshot.nodeType[at]!;
    if (t !== types.hidden && t !== types.array) return at;
    // A closure's context stays a context: its variables are what the user wrote.
    if (t === types.hidden && snapshot.nameOf(at).startsWith('system / Context')) return at;
    const up = dominator[at]!;
    if (up === snapshot.rootOrdinal || snapshot.nodeType[up] === types.synthetic) return at;
    at = up;
  }
  return at;
}

interface MassColumns {
  mass: Float64Array;
  count: Float64Array;
  isNew: Uint8Array;
  retainedSize: Float64Array;
  childStart: Uint32Array;
  children: Uint32Array;
}

function describePoint(start: EarlierSnapshot, end: HeapSnapshot, owner: number, point: number, m: MassColumns): AccumulationPoint {
  const collection = collectionOf(end, owner, 16);
  const id = end.nodeId[owner]!;
  // The typical entry: the class holding the most new mass among the point's new children.
  const byClass = new Map<string, { mass: number; count: number; masses: number[] }>();
  for (let c = m.childStart[point]!; c < m.childStart[point + 1]!; c++) {
    const child = m.children[c]!;
    if (m.mass[child]! <= 0) continue;
    const label = nodeLabel(end, child);
    const entry = byClass.get(label) ?? { mass: 0, count: 0, masses: [] };
    entry.mass += m.mass[child]!;
    entry.count++;
    entry.masses.push(m.mass[child]!);
    byClass.set(label, entry);
  }
  // A chain of one class (promise reactions, an EventTarget's listeners) counts its links.
  let links = 0;
  for (let at = point, guard = 0; guard < 10_000_000; guard++) {
    let next = -1;
    for (let c = m.childStart[at]!; c < m.childStart[at + 1]!; c++) {
      const child = m.children[c]!;
      if (end.nodeName[child] === end.nodeName[point] && end.nodeType[child] === end.nodeType[point] && (next < 0 || m.mass[child]! > m.mass[next]!)) next = child;
    }
    links++;
    if (next < 0) break;
    at = next;
  }
  let entryClass = '';
  let best: { mass: number; count: number; masses: number[] } = { mass: 0, count: 0, masses: [] };
  for (const [label, entry] of byClass) {
    if (entry.mass > best.mass) {
      entryClass = label;
      best = entry;
    }
  }
  const entryField = links > 1 ? undefined : heaviestField(end, point, entryClass, m);
  return {
    node: owner,
    id,
    kind: collection?.kind ?? nodeLabel(end, owner),
    newBytes: m.mass[point]!,
    newObjects: m.count[point]!,
    entriesNow: collection?.entries ?? (links > 1 ? links : best.count),
    entriesThen: collection ? entriesThen(start, id) : undefined,
    retainedSize: m.retainedSize[owner]!,
    entryClass: links > 1 ? nodeLabel(end, point) : entryClass,
    // The median entry: a few entries that share what they hold with others (or hold little yet) do not drag it.
    entryBytes: links > 1 ? m.mass[point]! / links : median(best.masses),
    ...(entryField ? { entryField } : {}),
  };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * heaviestField looks at the point's largest new child of the entries' class
 * and names the property through which it holds most of its new mass.
 */
function heaviestField(end: HeapSnapshot, point: number, entryClass: string, m: MassColumns): string | undefined {
  let entry = -1;
  for (let c = m.childStart[point]!; c < m.childStart[point + 1]!; c++) {
    const child = m.children[c]!;
    if (nodeLabel(end, child) === entryClass && (entry < 0 || m.mass[child]! > m.mass[entry]!)) entry = child;
  }
  if (entry < 0 || m.mass[entry]! <= 0) return undefined;
  for (let e = end.firstEdge[entry]!; e < end.firstEdge[entry + 1]!; e++) {
    if (end.edgeType[e] !== end.types.edgeProperty) continue;
    const to = end.edgeToNode[e]!;
    if (m.mass[to]! >= 0.5 * m.mass[entry]!) return end.edgeNameOf(e);
  }
  return undefined;
}
