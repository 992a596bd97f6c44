import { dominatorsOf } from './dominators.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import { countsToEnds } from './offsets.js';

/** ConstructorSummary is one row of the Summary view: all objects of one constructor (or kind). */
export interface ConstructorSummary {
  className: string;
  count: number;
  /** Sum of the objects' own sizes. */
  shallowSize: number;
  /**
   * What freeing every object of the class would free: the retained sizes of
   * the instances not dominated by another instance of the same class (so
   * nested instances are not counted twice), as DevTools computes it.
   */
  retainedSize: number;
}

/** ClassIndex assigns each node a small class number, for grouping. */
export interface ClassIndex {
  classOf: Uint32Array;
  names: string[];
}

const classMemo = new WeakMap<HeapSnapshot, ClassIndex>();

/** classIndexOf groups nodes by HeapSnapshot.classNameOf, once per snapshot. */
export function classIndexOf(snapshot: HeapSnapshot): ClassIndex {
  const known = classMemo.get(snapshot);
  if (known) return known;
  const classOf = new Uint32Array(snapshot.nodeCount);
  const names: string[] = [];
  const byName = new Map<string, number>();
  // Objects are grouped by name string index and the rest by type, so classNameOf runs once per distinct key.
  const byKey = new Map<number, number>();
  const types = snapshot.types;
  for (let n = 0; n < snapshot.nodeCount; n++) {
    const t = snapshot.nodeType[n]!;
    const key = t === types.object || t === types.native ? snapshot.nodeName[n]! * 256 + t : -1 - t;
    let c = byKey.get(key);
    if (c === undefined) {
      const name = snapshot.classNameOf(n);
      c = byName.get(name);
      if (c === undefined) {
        c = names.length;
        names.push(name);
        byName.set(name, c);
      }
      byKey.set(key, c);
    }
    classOf[n] = c;
  }
  const index = { classOf, names };
  classMemo.set(snapshot, index);
  return index;
}

/**
 * summarizeByConstructor aggregates the heap by constructor, largest
 * retained size first (DevTools' Summary view). The synthetic root is left
 * out.
 */
export function summarizeByConstructor(snapshot: HeapSnapshot): ConstructorSummary[] {
  const { dominator, retainedSize } = dominatorsOf(snapshot);
  const { classOf, names } = classIndexOf(snapshot);
  const n = snapshot.nodeCount;
  const root = snapshot.rootOrdinal;
  const count = new Float64Array(names.length);
  const shallow = new Float64Array(names.length);
  const retained = new Float64Array(names.length);
  for (let v = 0; v < n; v++) {
    if (v === root) continue;
    count[classOf[v]!]++;
    shallow[classOf[v]!] += snapshot.nodeSelfSize[v]!;
  }
  // Children lists of the dominator tree (CSR, filled backwards so no cursor array is
  // needed), then a DFS that keeps, per class, how many instances are open on the
  // current tree path. The DFS stack grows with the tree's depth, not its size.
  const firstChild = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) if (v !== root) firstChild[dominator[v]!]!++;
  const children = new Uint32Array(countsToEnds(firstChild));
  for (let v = n - 1; v >= 0; v--) if (v !== root) children[--firstChild[dominator[v]!]!] = v;
  const open = new Uint32Array(names.length);
  let nodes: Uint32Array = new Uint32Array(1024);
  let next: Uint32Array = new Uint32Array(1024);
  let sp = 0;
  nodes[0] = root;
  next[0] = firstChild[root]!;
  sp = 1;
  while (sp > 0) {
    const v = nodes[sp - 1]!;
    const position = next[sp - 1]!;
    if (position < firstChild[v + 1]!) {
      next[sp - 1] = position + 1;
      const child = children[position]!;
      const c = classOf[child]!;
      if (open[c] === 0) retained[c] += retainedSize[child]!;
      open[c]++;
      if (sp === nodes.length) {
        nodes = grow(nodes);
        next = grow(next);
      }
      nodes[sp] = child;
      next[sp] = firstChild[child]!;
      sp++;
    } else {
      if (v !== root) open[classOf[v]!]--;
      sp--;
    }
  }
  const rows: ConstructorSummary[] = [];
  for (let c = 0; c < names.length; c++) {
    if (count[c] === 0) continue;
    rows.push({ className: names[c]!, count: count[c]!, shallowSize: shallow[c]!, retainedSize: retained[c]! });
  }
  rows.sort((a, b) => b.retainedSize - a.retainedSize || b.shallowSize - a.shallowSize || a.className.localeCompare(b.className));
  return rows;
}

function grow(a: Uint32Array): Uint32Array {
  const bigger = new Uint32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}
