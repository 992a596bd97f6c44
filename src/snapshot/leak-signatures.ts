import { dominatorsOf } from './dominators.js';
import { essentialEdges } from './essential-edges.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import { nameHolder } from './holder-name.js';
import { formatRetainerPath, nodeLabel } from './path-format.js';
import { type RetainerStep, retainerPath, retainerTreeOf } from './retainer-paths.js';

/**
 * SlicedStringLeak is a group of strings kept alive only because small
 * slices of them are: in V8, `s.slice(a, b)` of 13 or more characters makes
 * a "sliced string" that points at its parent instead of copying, so caching
 * a short id cut out of a large response keeps the whole response.
 */
export interface SlicedStringLeak {
  /** Retainer path shared by the group's slices, with indexes generalized. */
  signature: string;
  /** The full path of one slice of the group. */
  examplePath: string;
  /** The collection or object nearest the slices on that path (e.g. a Map), with its retained size. */
  holder: { label: string; id: number; retainedSize: number } | undefined;
  /** Sliced strings pointing at the group's parents. */
  slices: number;
  /** Parent strings kept alive by nothing but slices. */
  parents: number;
  /** Sum of the parents' sizes: what the slices keep alive. */
  keptBytes: number;
  /**
   * Bytes of the slices themselves: what stays in use once the parents are
   * let go. (V8's snapshot does not record a slice's length, only its own
   * size; a slice is at least 13 characters, shorter ones are copies.)
   */
  usedBytes: number;
  /**
   * Whether the slices are held only from the running stack (the snapshot
   * was taken in the middle of a computation): transient, not a leak.
   */
  transient: boolean;
  /** The fix, in words. */
  remedy: string;
}

/** SlicedStringOptions tunes which groups count as a leak. */
export interface SlicedStringOptions {
  /** Smallest kept-minus-used bytes for a group to be reported (default 16 KiB). */
  minWastedBytes?: number;
  /** Smallest kept/used ratio for a group to be reported (default 4). */
  minKeptToUsedRatio?: number;
}

const remedy =
  'copy the slice before keeping it (e.g. `Buffer.from(id).toString()`, or `(" " + id).slice(1)` on V8), ' +
  'so the cached key no longer points into the whole parent string';

/**
 * findSlicedStringLeaks finds parent strings whose only retainers are sliced
 * strings, groups them by the retainer path of the slice that holds them
 * (shortest path from the roots), and reports the groups that waste memory,
 * most bytes kept first. Groups held only from the stack are marked
 * transient and listed after the others.
 */
export function findSlicedStringLeaks(snapshot: HeapSnapshot, options: SlicedStringOptions = {}): SlicedStringLeak[] {
  const minWasted = options.minWastedBytes ?? 16 * 1024;
  const minRatio = options.minKeptToUsedRatio ?? 4;
  const sliced = snapshot.types.slicedString;
  if (sliced < 0) return [];
  const essential = essentialEdges(snapshot);
  const { parentEdge } = retainerTreeOf(snapshot);
  const { retainedSize } = dominatorsOf(snapshot);
  // The parents of all slices, then one pass over every edge to see who else holds them
  // (no reverse index needed: that would cost 8 bytes an edge).
  interface Parent { slices: number; used: number; onlySlices: boolean }
  const parents = new Map<number, Parent>();
  for (let s = 0; s < snapshot.nodeCount; s++) {
    if (snapshot.nodeType[s] !== sliced) continue;
    const parent = parentStringOf(snapshot, s);
    if (parent >= 0 && !parents.has(parent)) parents.set(parent, { slices: 0, used: 0, onlySlices: true });
  }
  if (parents.size === 0) return [];
  const { firstEdge, edgeToNode } = snapshot;
  for (let from = 0; from < snapshot.nodeCount; from++) {
    const fromSlice = snapshot.nodeType[from] === sliced;
    for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e++) {
      if (!essential[e]) continue;
      const p = parents.get(edgeToNode[e]!);
      if (p === undefined) continue;
      if (!fromSlice) p.onlySlices = false;
      else {
        p.slices++;
        p.used += snapshot.nodeSelfSize[from]!;
      }
    }
  }
  interface Group { steps: RetainerStep[]; slices: number; parents: number; kept: number; used: number }
  const groups = new Map<string, Group>();
  for (const [parent, p] of parents) {
    // Kept only through slices: every essential retainer is a sliced string.
    if (!p.onlySlices || p.slices === 0 || parentEdge[parent]! < 0) continue;
    // The slice on the parent's shortest path decides the group.
    const holdingSlice = snapshot.ownerOf(parentEdge[parent]!);
    const steps = retainerPath(snapshot, holdingSlice);
    const key = formatRetainerPath(snapshot, steps, { generalize: true });
    let g = groups.get(key);
    if (!g) {
      g = { steps, slices: 0, parents: 0, kept: 0, used: 0 };
      groups.set(key, g);
    }
    g.slices += p.slices;
    g.parents++;
    g.kept += snapshot.nodeSelfSize[parent]!;
    g.used += p.used;
  }
  const leaks: SlicedStringLeak[] = [];
  for (const [key, g] of groups) {
    if (g.kept - g.used < minWasted || g.kept < minRatio * g.used) continue;
    const transient = g.steps.some((st) => snapshot.nameOf(st.to) === '(Stack roots)' || snapshot.nameOf(st.to) === '(Handle scope)');
    const holderNode = nearestHolder(snapshot, g.steps);
    leaks.push({
      signature: `${key} → parent`,
      examplePath: `${formatRetainerPath(snapshot, g.steps)} → parent`,
      holder: holderNode < 0 ? undefined : { label: nodeLabel(snapshot, holderNode), id: snapshot.nodeId[holderNode]!, retainedSize: retainedSize[holderNode]! },
      slices: g.slices,
      parents: g.parents,
      keptBytes: g.kept,
      usedBytes: g.used,
      transient,
      remedy,
    });
  }
  leaks.sort((a, b) => Number(a.transient) - Number(b.transient) || b.keptBytes - a.keptBytes);
  return leaks;
}

/** parentStringOf follows a sliced string's `parent` link, or -1. */
function parentStringOf(snapshot: HeapSnapshot, s: number): number {
  for (let e = snapshot.firstEdge[s]!; e < snapshot.firstEdge[s + 1]!; e++) {
    if (snapshot.edgeType[e] === snapshot.types.edgeInternal && snapshot.edgeNameOf(e) === 'parent') {
      const p = snapshot.edgeToNode[e]!;
      return snapshot.isString(p) ? p : -1;
    }
  }
  return -1;
}

/** nearestHolder is the last user-visible object (not a string, not V8 plumbing) on a path. */
function nearestHolder(snapshot: HeapSnapshot, steps: readonly RetainerStep[]): number {
  const types = snapshot.types;
  for (let i = steps.length - 1; i >= 0; i--) {
    const n = steps[i]!.from;
    const t = snapshot.nodeType[n]!;
    if (t === types.object || t === types.closure || t === types.native) return n;
  }
  return -1;
}

/** CollectionReport is one large collection and why it is alive. */
export interface CollectionReport {
  id: number;
  /** "Map", "Set", "Array", "WeakMap", … or "Object (used as a map)". */
  kind: string;
  className: string;
  /** Entries (Map/Set), elements (Array) or properties (objects used as maps). */
  entries: number;
  retainedSize: number;
  shallowSize: number;
  path: string;
}

/** CollectionOptions tunes largestCollections. */
export interface CollectionOptions {
  /** How many to return (default 10). */
  limit?: number;
  /** Properties from which a plain object counts as used as a map (default 32). */
  minObjectProperties?: number;
  /** Also list Node's own collections (its module registry, error codes, primordials); default false. */
  includeNodeInternals?: boolean;
}

const collectionClasses = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Array']);
const objectAsMap = 'Object (used as a map)';

/**
 * largestCollections lists the Maps, Sets, Arrays and objects used as maps
 * (many named properties) with the largest retained size, each with its
 * shortest retainer path: the usual places a leak accumulates.
 */
export function largestCollections(snapshot: HeapSnapshot, options: CollectionOptions = {}): CollectionReport[] {
  const limit = options.limit ?? 10;
  const minProps = options.minObjectProperties ?? 32;
  const { retainedSize, reachable } = dominatorsOf(snapshot);
  const types = snapshot.types;
  const candidates: { node: number; kind: string; entries: number }[] = [];
  // The user roots (the global object) hold everything: not a collection worth listing.
  const userRoots = new Set<number>();
  for (let e = snapshot.firstEdge[snapshot.rootOrdinal]!; e < snapshot.firstEdge[snapshot.rootOrdinal + 1]!; e++) {
    if (snapshot.edgeType[e] === types.edgeShortcut) userRoots.add(snapshot.edgeToNode[e]!);
  }
  for (let n = 0; n < snapshot.nodeCount; n++) {
    if (!reachable[n] || userRoots.has(n)) continue;
    const collection = collectionOf(snapshot, n, minProps);
    // An empty collection holds nothing; a method table is an API, not a map.
    if (!collection || collection.entries === 0 || (collection.kind === objectAsMap && isMethodTable(snapshot, n))) continue;
    candidates.push({ node: n, ...collection });
  }
  candidates.sort((a, b) => retainedSize[b.node]! - retainedSize[a.node]!);
  const shown = options.includeNodeInternals ? candidates.slice(0, limit) : firstNotNodes(snapshot, candidates, limit);
  return shown.map((c) => ({
    id: snapshot.nodeId[c.node]!,
    kind: c.kind,
    className: snapshot.classNameOf(c.node),
    entries: c.entries,
    retainedSize: retainedSize[c.node]!,
    shallowSize: snapshot.nodeSelfSize[c.node]!,
    path: formatRetainerPath(snapshot, retainerPath(snapshot, c.node)),
  }));
}

/**
 * firstNotNodes keeps the first `limit` candidates that are not Node's own:
 * held by a variable of one of Node's built-in modules (node:internal/…), or
 * kept under one of its per-context symbols (the primordials). Node's
 * registry of built-in modules outweighs most apps' caches in a small
 * process, and is nothing a user can change.
 */
function firstNotNodes<T extends { node: number }>(snapshot: HeapSnapshot, candidates: readonly T[], limit: number): T[] {
  const kept: T[] = [];
  for (const c of candidates) {
    if (kept.length >= limit) break;
    const name = nameHolder(snapshot, c.node);
    if (name.file?.startsWith('node:') || name.text.includes('<symbol node:')) continue;
    kept.push(c);
  }
  return kept;
}

/**
 * collectionOf says whether node n is a collection (a Map, Set, WeakMap, WeakSet
 * or Array, or a plain object with at least `minObjectProperties` named
 * properties, used as a map), and how many entries it holds.
 */
export function collectionOf(snapshot: HeapSnapshot, n: number, minObjectProperties = 32): { kind: string; entries: number } | undefined {
  if (snapshot.nodeType[n] !== snapshot.types.object) return undefined;
  const name = snapshot.nameOf(n);
  if (collectionClasses.has(name)) return { kind: name, entries: entryCount(snapshot, n, name) };
  const props = propertyCount(snapshot, n);
  return props >= minObjectProperties ? { kind: objectAsMap, entries: props } : undefined;
}

/**
 * isMethodTable says an object's named properties are mostly functions: a
 * class's prototype, a namespace such as Math or console. It has many
 * properties, like a map, but they are its API, not data that piles up.
 */
function isMethodTable(snapshot: HeapSnapshot, n: number): boolean {
  let props = 0;
  let functions = 0;
  for (let e = snapshot.firstEdge[n]!; e < snapshot.firstEdge[n + 1]!; e++) {
    if (snapshot.edgeType[e] !== snapshot.types.edgeProperty) continue;
    props++;
    if (snapshot.nodeType[snapshot.edgeToNode[e]!] === snapshot.types.closure) functions++;
  }
  return functions * 2 >= props;
}

function propertyCount(snapshot: HeapSnapshot, n: number): number {
  let count = 0;
  for (let e = snapshot.firstEdge[n]!; e < snapshot.firstEdge[n + 1]!; e++) {
    if (snapshot.edgeType[e] === snapshot.types.edgeProperty && snapshot.edgeNameOf(e) !== '__proto__') count++;
  }
  return count;
}

/**
 * isEmptySlot: V8's undefined and null (and the hole) as snapshots show them:
 * hidden nodes named after themselves since V8 13, all "system / Oddball" before
 * (where true and false share the name too; booleans are rare entries of a
 * collection worth reporting).
 */
function isEmptySlot(snapshot: HeapSnapshot, n: number): boolean {
  if (snapshot.nodeType[n] !== snapshot.types.hidden) return false;
  const name = snapshot.nameOf(n);
  return name === 'undefined' || name === 'null' || name === 'the_hole' || name === 'system / Oddball';
}

/**
 * entryCount counts a collection's entries from the snapshot's edges: an
 * Array's element edges; for Map/Set, the entries of the hash table V8 links
 * as `table`. Only slots holding heap objects are edges (small-integer keys
 * are not), so entries are counted by slot position: V8's tables store each
 * entry in consecutive slots (Map: key, value, chain; Set and weak tables:
 * two), and of the possible alignments the one that puts the most slots of
 * an entry together gives the fewest groups, one per entry.
 */
function entryCount(snapshot: HeapSnapshot, n: number, kind: string): number {
  const types = snapshot.types;
  if (kind === 'Array') {
    // Slots holding undefined or null (a preallocated ring, a cleared slot) are not entries.
    let count = 0;
    for (let e = snapshot.firstEdge[n]!; e < snapshot.firstEdge[n + 1]!; e++) if (snapshot.edgeType[e] === types.edgeElement && !isEmptySlot(snapshot, snapshot.edgeToNode[e]!)) count++;
    return count;
  }
  const entrySize = kind === 'Map' ? 3 : 2;
  for (let e = snapshot.firstEdge[n]!; e < snapshot.firstEdge[n + 1]!; e++) {
    if (snapshot.edgeNameOf(e) !== 'table' || snapshot.edgeIsIndexed(e)) continue;
    const table = snapshot.edgeToNode[e]!;
    const slots: number[] = [];
    for (let f = snapshot.firstEdge[table]!; f < snapshot.firstEdge[table + 1]!; f++) {
      const slot = Number(snapshot.edgeNameOf(f));
      if (Number.isInteger(slot) && snapshot.edgeType[f] !== types.edgeShortcut) slots.push(slot);
    }
    slots.sort((a, b) => a - b);
    let fewest = slots.length;
    for (let shift = 0; shift < entrySize; shift++) {
      let groups = 0;
      let last = -1;
      for (const slot of slots) {
        const group = Math.floor((slot + shift) / entrySize);
        if (group !== last) groups++;
        last = group;
      }
      fewest = Math.min(fewest, groups);
    }
    return fewest;
  }
  return 0;
}
