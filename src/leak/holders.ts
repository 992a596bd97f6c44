import type { HeapSnapshot } from '../snapshot/heap-snapshot.js';
import {
  findSlicedStringLeaks, largestCollections, snapshotGrowth,
  type CollectionReport, type GrowthGroup, type SlicedStringLeak,
} from '../snapshot/index.js';
import type { Frame } from './heap-observation.js';
import type { GrowthReport, SiteGrowth } from './growth-report.js';

/** Holder is one explanation of why memory stays in use: what holds it, through what, how much. */
export interface Holder {
  kind: 'sliced-strings' | 'new-objects';
  /** holder names the object that keeps the memory, e.g. "CgroupResolver.cache (a Map)". */
  holder: string;
  /** path is the retainer path from the GC roots (indexes generalized). */
  path: string;
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
export function joinHolders(growth: GrowthReport, start: HeapSnapshot, end: HeapSnapshot): HeldMemory {
  const slicedStrings = findSlicedStringLeaks(end).filter((l) => !l.transient);
  const collections = largestCollections(end, { limit: 5 });
  const fresh = snapshotGrowth([start, end], { limit: 20 });
  const sliceHolders = slicedStrings.map((leak) => slicedHolder(leak, fresh.groups));
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
  const sites = growth.growing.map((site) => ({
    site: site.site,
    objectBytes: site.objectBytes,
    holders: holdersOf(site, sliceHolders, newHolders),
  }));
  const held: HeldMemory = {
    sites,
    slicedStrings,
    collections,
    newObjects: { count: fresh.newObjects, bytes: fresh.newBytes, groups: fresh.groups },
  };
  if (growth.external?.verdict.kind === 'growing') {
    const gainedBytes = growth.external.trend.last - growth.external.trend.first;
    held.external = { gainedBytes, holders: externalHolders(gainedBytes, sliceHolders, newHolders) };
  }
  return held;
}

/**
 * externalHolders matches growth outside the V8 heap with the snapshots. V8's
 * snapshots count an external string's characters and a backing store's bytes
 * in the nodes that own them, so what the external figure gained reappears as
 * new objects there; only the gain can match, as no site gives a size.
 */
function externalHolders(gainedBytes: number, sliceHolders: Holder[], newHolders: Holder[]): Holder[] {
  const likeGain = (h: Holder) => h.newSinceStart !== undefined && sizeRatio(gainedBytes, h.newSinceStart.bytes) >= minSizeRatio;
  const sliced = sliceHolders.filter(likeGain);
  const others = newHolders.filter(
    (h) => likeGain(h) && !sliced.some((s) => h.path.startsWith(s.path.replace(/ → \(sliced string\) → parent$/, ''))),
  );
  return [...sliced, ...others.slice(0, 2)];
}

function holdersOf(site: SiteGrowth, sliceHolders: Holder[], newHolders: Holder[]): Holder[] {
  // The snapshots bracket the watch, so what the site gained over it should
  // reappear as new objects. Sampled object counts of large objects can be off
  // by a factor of two, hence the loose ratios.
  const gained = site.trend.last - site.trend.first;
  const likeSize = (h: Holder) => sizeRatio(site.objectBytes, h.objectBytes) >= minSizeRatio;
  const likeGain = (h: Holder) => h.newSinceStart !== undefined && sizeRatio(gained, h.newSinceStart.bytes) >= minSizeRatio;
  // A sliced-string signature is specific enough on either likeness.
  const sliced = sliceHolders.filter((h) => likeSize(h) || likeGain(h));
  // Groups of new objects are many, and small ones often alike in size: they
  // must match in size and account for much of what the site gained. Those
  // already explained by a sliced-string signature are that signature's parents.
  const others = newHolders.filter(
    (h) => likeSize(h) && likeGain(h) && !sliced.some((s) => h.path.startsWith(s.path.replace(/ → \(sliced string\) → parent$/, ''))),
  );
  return [...sliced, ...others.slice(0, 2)];
}

function slicedHolder(leak: SlicedStringLeak, groups: readonly GrowthGroup[]): Holder {
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
    holder: inCollection ? holderName(holderSegments) : containerName(holderSegments),
    path,
    count: leak.parents,
    bytes: leak.keptBytes,
    objectBytes: leak.parents > 0 ? leak.keptBytes / leak.parents : 0,
    through: `${leak.slices} ${what}${leak.slices === 1 ? '' : 's'} of ${Math.round(leak.usedBytes / Math.max(1, leak.slices))}B`,
    remedy: leak.remedy,
  };
  if (fresh) holder.newSinceStart = { count: fresh.count, bytes: fresh.shallowSize };
  return holder;
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
