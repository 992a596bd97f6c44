import type { HeapSnapshot } from '../snapshot/heap-snapshot.js';
import type { EarlierSnapshot } from '../snapshot/snapshot-digest.js';
import { accumulationPoints, type AccumulationPoint } from '../snapshot/accumulation.js';
import { allocationStacksUnder } from '../snapshot/allocation-sites.js';
import type { AllocationFrame } from '../snapshot/allocation-traces.js';
import { nameHolder, type HolderName } from '../snapshot/holder-name.js';
import {
  findSlicedStringLeaks, largestCollections, snapshotGrowth,
  type CollectionReport, type GrowthGroup, type SlicedStringLeak,
} from '../snapshot/index.js';
import type { Frame } from './heap-observation.js';
import type { GrowthReport, SiteGrowth } from './growth-report.js';

/** Holder is one explanation of why memory stays in use: what holds it, through what, how much. */
export interface Holder {
  kind: 'sliced-strings' | 'new-objects' | 'accumulation';
  /** holder names the object that keeps the memory, e.g. "CgroupResolver.cache (a Map)". */
  holder: string;
  /** path is the retainer path from the GC roots (indexes generalized). */
  path: string;
  /** The last snapshot's ids of the objects `path` names, in order, when each step is one object. */
  pathIds?: number[];
  /** With pathIds: the edge from each of those objects to the next. */
  pathEdges?: string[];
  /** The last snapshot's id of the holding object itself, when it is one object. */
  nodeId?: number;
  /**
   * With allocation tracking: the stack that allocated most of the new memory it holds
   * (leaf first), that memory's share of the new memory under it whose stack V8 recorded,
   * and the new memory under it V8 recorded no stack for.
   */
  allocatedIn?: { stack: AllocationFrame[]; bytes: number; share: number; untrackedBytes: number };
  /** count of objects kept (parent strings for sliced strings). */
  count: number;
  /** bytes those objects take. */
  bytes: number;
  /** objectBytes is their typical size, which is how they are matched to an allocation site. */
  objectBytes: number;
  /** through describes the link, e.g. "42 sliced-string keys of 32B". */
  through?: string;
  remedy?: string;
  /** newSinceStart counts the objects of the group allocated after the first snapshot and still alive. */
  newSinceStart?: { count: number; bytes: number };
  /** For an accumulation point: what it is, its entries then and now, and what a typical entry is. */
  accumulation?: {
    what: string;
    holderKind: HolderName['kind'];
    entriesThen?: number;
    entriesNow: number;
    entryClass: string;
    entryBytes: number;
    entryField?: string;
    file?: string;
  };
}

/** SiteHolders pairs a growing allocation site with what holds what it allocated. */
export interface SiteHolders {
  site: Frame;
  /** objectBytes is the typical size of the site's objects, from the heap profiles. */
  objectBytes: number;
  holders: Holder[];
}

/** HeldMemory is the snapshots' side of a hunt, joined with the growing sites. */
export interface HeldMemory {
  sites: SiteHolders[];
  /**
   * external explains growth outside the V8 heap (external strings, Buffers), which no
   * heap-profile site accounts for: the holders whose new objects match what it gained.
   */
  external?: { gainedBytes: number; holders: Holder[] };
  slicedStrings: SlicedStringLeak[];
  collections: CollectionReport[];
  newObjects: { count: number; bytes: number; groups: GrowthGroup[] };
  /** Where the new objects accumulate (the owners of what grew), largest first, whatever the sites. */
  accumulations: Holder[];
  /** Files of the snapshots when they were kept on disk. */
  files?: { start: string; end: string };
}

/**
 * sizeRatio says how alike two typical object sizes are: 1 identical, 0.5
 * one is twice the other. The heap profile's sizes are estimates from
 * sampling, so matching is loose.
 */
function sizeRatio(a: number, b: number): number {
  if (a <= 0 || b <= 0) return 0;
  return Math.min(a, b) / Math.max(a, b);
}

const minSizeRatio = 0.3;
const minNewObjects = 3;

/**
 * joinHolders explains the growing sites with two heap snapshots of the same
 * process, taken at the start and end of the watch. A sampling heap profile
 * knows where objects were allocated and their typical size but not what
 * holds them; a snapshot knows what holds every object but not where it was
 * allocated. They are joined by size: the site's typical object size (bytes
 * over objects gained) against the typical size of the objects each leak
 * signature keeps (parents of sliced strings) and of each group of objects
 * new since the first snapshot. Sliced-string signatures come first: they
 * carry the remedy.
 */
export function joinHolders(growth: GrowthReport, start: EarlierSnapshot, end: HeapSnapshot): HeldMemory {
  const slicedStrings = findSlicedStringLeaks(end).filter((l) => !l.transient);
  const collections = largestCollections(end, { limit: 5 });
  const fresh = snapshotGrowth([start, end], { limit: 20 });
  const sliceHolders = slicedStrings.map((leak) => {
    const holder = slicedHolder(leak, fresh.groups, end);
    const node = holder.nodeId !== undefined ? end.ordinalOfId(holder.nodeId) : -1;
    return node >= 0 ? withAllocationSite(holder, start, end, node) : holder;
  });
  // One new object (a response in flight at the end) is no pattern; a leak leaves many alike.
  const newHolders: Holder[] = fresh.groups
    .filter((g) => g.count >= minNewObjects && g.shallowSize > 0)
    .map((g) => ({
      kind: 'new-objects',
      holder: containerName(g.path.split(' → ').slice(0, -1)),
      path: g.path,
      count: g.count,
      bytes: g.shallowSize,
      objectBytes: g.shallowSize / g.count,
      newSinceStart: { count: g.count, bytes: g.shallowSize },
    }));
  const accumulations = findAccumulations(start, end);
  const sites = growth.growing.map((site) => ({
    site: site.site,
    objectBytes: site.objectBytes,
    holders: holdersOf(site, sliceHolders, accumulations, newHolders, growth.growing.length === 1),
  }));
  const held: HeldMemory = {
    sites,
    slicedStrings,
    collections,
    newObjects: { count: fresh.newObjects, bytes: fresh.newBytes, groups: fresh.groups },
    accumulations,
  };
  if (growth.external?.verdict.kind === 'growing') {
    const gainedBytes = growth.external.trend.last - growth.external.trend.first;
    held.external = { gainedBytes, holders: externalHolders(gainedBytes, sliceHolders, accumulations, newHolders) };
  }
  return held;
}

/**
 * findAccumulations is the holder analysis of two snapshots alone: the
 * accumulation points of what grew from `start` to `end`, named as the user
 * wrote them, with their entries then and now and a remedy each, leaving out
 * Node's own holders and tsprof's. The watch joins them with its growing
 * sites; `tsprof snapshot diff` and `leaks` print them as they are.
 */
export function findAccumulations(start: EarlierSnapshot, end: HeapSnapshot, limit = 8): Holder[] {
  // Node's own holders are left out before their subtrees are walked for allocation stacks.
  return accumulationPoints(start, end, { limit })
    .map((point) => ({ point, holder: { ...accumulationHolder(point, nameHolder(end, point.node)), nodeId: end.nodeId[point.node]! } }))
    .filter(({ holder }) => !isOwnOrNodeInternal(holder))
    .map(({ point, holder }) => withAllocationSite(holder, start, end, point.node));
}

/**
 * withAllocationSite adds, when the end snapshot carries allocation traces,
 * the stack that allocated most of the new memory `node` alone keeps alive.
 */
function withAllocationSite(holder: Holder, start: EarlierSnapshot, end: HeapSnapshot, node: number): Holder {
  const { stacks, untrackedBytes } = allocationStacksUnder(start, end, node);
  const tracked = stacks.reduce((sum, s) => sum + s.bytes, 0);
  if (stacks[0] && tracked > 0) holder.allocatedIn = { stack: stacks[0].stack, bytes: stacks[0].bytes, share: stacks[0].bytes / tracked, untrackedBytes };
  return holder;
}

/** accumulationHolder turns an accumulation point and its name into a Holder, with the remedy its kind calls for. */
function accumulationHolder(point: AccumulationPoint, name: HolderName): Holder {
  const entries = Math.max(1, point.entriesNow);
  return {
    kind: 'accumulation',
    holder: name.text,
    path: name.path,
    ...(name.pathIds ? { pathIds: name.pathIds } : {}),
    ...(name.pathEdges ? { pathEdges: name.pathEdges } : {}),
    count: point.newObjects,
    bytes: point.newBytes,
    objectBytes: point.entryBytes || point.newBytes / entries,
    newSinceStart: { count: point.newObjects, bytes: point.newBytes },
    remedy: remedyFor(point, name),
    accumulation: {
      what: point.kind,
      holderKind: name.kind,
      ...(point.entriesThen !== undefined ? { entriesThen: point.entriesThen } : {}),
      entriesNow: point.entriesNow,
      entryClass: point.entryClass,
      entryBytes: point.entryBytes,
      ...(point.entryField ? { entryField: point.entryField } : {}),
      ...(name.file ? { file: name.file } : {}),
    },
  };
}

/** remedyFor says what fixes a leak of this kind of holder. */
function remedyFor(point: AccumulationPoint, name: HolderName): string {
  if (name.kind === 'listeners') return 'remove each listener when its work is done (off/removeListener, once, or an AbortSignal passed to on())';
  if (name.kind === 'timer') return 'clearInterval/clearTimeout when the work is done, and keep one timer per key rather than one per request';
  if (point.kind === 'Promise' || name.kind === 'promise') return 'settle the promise, or race it with a timeout, so the work awaiting it is released';
  if (point.kind === 'Map' || point.kind === 'Set' || point.kind.startsWith('Object')) return 'evict or bound the cache (LRU / TTL), key it by something bounded, or hold entries in a WeakMap keyed by their owner';
  if (point.kind === 'Array') return 'bound the array or drain it when its entries are done';
  if (point.kind === '(concatenated string)') return 'write the pieces out as they come (a stream, or a bounded array flushed now and then) instead of growing one string with +=';
  return 'release the references when the work is done';
}

/** Holders in tsprof's own code, or in Node's, are not the app's leak. */
function isOwnOrNodeInternal(h: Holder): boolean {
  // Node's native objects (Node / Environment, Node / IsolateData, …) are its own state.
  if (h.holder.startsWith('Node / ') || h.accumulation?.what.startsWith('Node / ')) return true;
  // A listener list is the app's even on Node's objects (`process`'s 'beforeExit' listeners): the app
  // registered what piles up there, and Node's own listeners are a handful that never grow.
  if (h.accumulation?.holderKind === 'listeners' && !isTsprofFile(h.accumulation.file)) return false;
  const file = h.accumulation?.file;
  if (file === undefined) return false;
  return file.startsWith('node:') || isTsprofFile(file);
}

function isTsprofFile(file: string | undefined): boolean {
  return file !== undefined && tsprofSourcePrefixes.some((prefix) => file.includes(prefix));
}

/** Where tsprof's own compiled code lives (the agent runs inside the watched service). */
const tsprofSourcePrefixes = [new URL('../', import.meta.url).pathname].filter((p) => p.length > 1);

/**
 * externalHolders matches growth outside the V8 heap with the snapshots. V8's
 * snapshots count an external string's characters and a backing store's bytes
 * in the nodes that own them, so what the external figure gained reappears as
 * new objects there; only the gain can match, as no site gives a size.
 */
function externalHolders(gainedBytes: number, sliceHolders: Holder[], accumulations: Holder[], newHolders: Holder[]): Holder[] {
  const likeGain = (h: Holder) => h.newSinceStart !== undefined && sizeRatio(gainedBytes, h.newSinceStart.bytes) >= minSizeRatio;
  const sliced = sliceHolders.filter(likeGain);
  const points = accumulations.filter(likeGain);
  if (points.length > 0) return [...sliced, ...points.slice(0, 2)];
  const others = newHolders.filter(
    (h) => likeGain(h) && !sliced.some((s) => h.path.startsWith(s.path.replace(/ → \(sliced string\) → parent$/, ''))),
  );
  return [...sliced, ...others.slice(0, 2)];
}

function holdersOf(site: SiteGrowth, sliceHolders: Holder[], accumulations: Holder[], newHolders: Holder[], onlySite: boolean): Holder[] {
  // The snapshots bracket the watch, so what the site gained over it should
  // reappear as new objects. Sampled object counts of large objects can be off
  // by a factor of two, hence the loose ratios.
  const gained = site.trend.last - site.trend.first;
  const likeSize = (h: Holder) => sizeRatio(site.objectBytes, h.objectBytes) >= minSizeRatio;
  const likeGain = (h: Holder) => h.newSinceStart !== undefined && sizeRatio(gained, h.newSinceStart.bytes) >= minSizeRatio;
  // A sliced-string signature is specific enough on either likeness.
  const sliced = sliceHolders.filter((h) => likeSize(h) || likeGain(h));
  // An accumulation point owns what grew: it matches by what it gained (its entries hold the
  // site's objects among others, so their sizes differ); the only growing site takes the largest.
  const points = accumulations.filter(likeGain);
  if (points.length === 0 && onlySite && accumulations[0]) points.push(accumulations[0]);
  if (points.length > 0) return [...sliced, ...points.slice(0, 2)];
  // Groups of new objects are many, and small ones often alike in size: they
  // must match in size and account for much of what the site gained. Those
  // already explained by a sliced-string signature are that signature's parents.
  const others = newHolders.filter(
    (h) => likeSize(h) && likeGain(h) && !sliced.some((s) => h.path.startsWith(s.path.replace(/ → \(sliced string\) → parent$/, ''))),
  );
  return [...sliced, ...others.slice(0, 2)];
}

function slicedHolder(leak: SlicedStringLeak, groups: readonly GrowthGroup[], end: HeapSnapshot): Holder {
  const segments = leak.signature.split(' → ');
  const sliceAt = segments.indexOf('(sliced string)');
  const holderSegments = sliceAt > 0 ? segments.slice(0, sliceAt) : segments;
  const path = leak.signature;
  // The parents new since the first snapshot are the (string) group on the same path.
  const prefix = holderSegments.join(' → ');
  const fresh = groups.find((g) => g.className === '(string)' && g.path.startsWith(prefix) && g.path.includes('(sliced string)'));
  // Slices straight in a Map or Set are its keys (or members); elsewhere they sit in a field of each entry.
  const inCollection = collectionLabel.test(holderSegments[holderSegments.length - 1] ?? '');
  const what = inCollection ? 'sliced-string key' : 'sliced string';
  const holder: Holder = {
    kind: 'sliced-strings',
    holder: slicedHolderName(inCollection ? holderName(holderSegments) : containerName(holderSegments), leak, end),
    path,
    count: leak.parents,
    bytes: leak.keptBytes,
    objectBytes: leak.parents > 0 ? leak.keptBytes / leak.parents : 0,
    through: `${leak.slices} ${what}${leak.slices === 1 ? '' : 's'} of ${Math.round(leak.usedBytes / Math.max(1, leak.slices))}B`,
    remedy: leak.remedy,
    ...(leak.holder ? { nodeId: leak.holder.id } : {}),
  };
  if (fresh) holder.newSinceStart = { count: fresh.count, bytes: fresh.shallowSize };
  return holder;
}

/**
 * slicedHolderName keeps a path's name when it names a field of a class the
 * user wrote ("CgroupResolver.cache (a Map)"); a scope's, a module's or a plain
 * object's field ("Context.value", "ModuleWrap.value") reads better as the variable that holds the
 * collection, found by walking up from it.
 */
function slicedHolderName(fromPath: string, leak: SlicedStringLeak, end: HeapSnapshot): string {
  if (!/^(Context|Object|ModuleWrap|Module|Generator|system|process|Array|Map|Set)\b/.test(fromPath) || !leak.holder) return fromPath;
  const node = end.ordinalOfId(leak.holder.id);
  if (node < 0) return fromPath;
  const named = nameHolder(end, node);
  return named.kind === 'object' ? fromPath : `${named.text} (${/^[AEIOU]/.test(leak.holder.label) ? 'an' : 'a'} ${leak.holder.label})`;
}

/**
 * holderName names the holder at the end of a path the way a person says it:
 * "CgroupResolver.cache (a Map)" for `… → CgroupResolver.cache → Map`.
 */
export function holderName(segments: readonly string[]): string {
  const last = segments[segments.length - 1] ?? '(root)';
  const before = segments[segments.length - 2];
  // `before` ends with the edge that leads to `last` (`CgroupResolver.cache`): that is its name.
  if (before === undefined || !/\.[\w$#]+$/.test(before)) return last;
  const kind = last.replace(/\[\]$/, ' array');
  return `${before.split(/\s/).pop()} (${/^[AEIOU]/i.test(kind) ? 'an' : 'a'} ${kind})`;
}

const collectionLabel = /^(Map|Set|WeakMap|WeakSet|Array|[\w$]+\[\])$/;

/**
 * containerName names what holds new objects: the nearest collection on the
 * path, then the hops from it ("CgroupResolver.cache (a Map) → Object.lastResponse"),
 * since a leak accumulates in a collection even when each entry holds it indirectly.
 */
export function containerName(segments: readonly string[]): string {
  let at = -1;
  for (let i = segments.length - 1; i >= 0; i--) {
    if (collectionLabel.test(segments[i]!)) {
      at = i;
      break;
    }
  }
  if (at < 0) return holderName(segments);
  const rest = segments.slice(at + 1);
  return holderName(segments.slice(0, at + 1)) + (rest.length > 0 ? ` → ${rest.join(' → ')}` : '');
}
