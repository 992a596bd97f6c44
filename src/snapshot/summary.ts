import { dominatorsOf } from './dominators.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import { countsToOffsets } from './offsets.js';

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
  // Children lists of the dominator tree (CSR), then a DFS that keeps, per class,
  // how many instances are open on the current tree path.
  const firstChild = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) if (v !== root) firstChild[dominator[v]!]!++;
  const children = new Uint32Array(countsToOffsets(firstChild));
  const cursor = firstChild.slice(0, n);
  for (let v = 0; v < n; v++) if (v !== root) children[cursor[dominator[v]!]!++] = v;
  const open = new Uint32Array(names.length);
  const stack = new Uint32Array(n);
  const next = cursor; // reused: next child to visit of each node on the stack
  for (let v = 0; v < n; v++) next[v] = firstChild[v]!;
  let sp = 0;
  stack[sp++] = root;
  while (sp > 0) {
    const v = stack[sp - 1]!;
    if (next[v] === firstChild[v] && v !== root) {
      // Entering v.
      const c = classOf[v]!;
      if (open[c] === 0) retained[c] += retainedSize[v]!;
      open[c]++;
    }
    if (next[v]! < firstChild[v + 1]!) {
      stack[sp++] = children[next[v]!++]!;
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
