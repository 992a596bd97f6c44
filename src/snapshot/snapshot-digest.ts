import { HeapSnapshot } from './heap-snapshot.js';
import { collectionOf } from './leak-signatures.js';

/**
 * SnapshotDigest is what the growth and holder analyses read from a snapshot
 * that is not the last of a series: which objects it held (their V8 ids) and
 * how many entries each collection had then. Kept instead of the snapshot,
 * it lets `snapshot diff` and the watch read snapshots one at a time, so
 * their peak memory is one parsed snapshot and a few bytes per object of the
 * others, not all of them at once.
 */
export class SnapshotDigest {
  /** The snapshot's node count, for messages and tests. */
  readonly nodeCount: number;
  /** Every object's id, ascending. */
  private readonly ids: Float64Array;
  /** The collections (collectionOf, objects used as maps from 16 properties) and their entries, ascending by id. */
  private readonly collectionIds: Float64Array;
  private readonly collectionEntries: Uint32Array;

  constructor(snapshot: HeapSnapshot) {
    this.nodeCount = snapshot.nodeCount;
    const ids = Float64Array.from(snapshot.nodeId);
    ids.sort();
    this.ids = ids;
    const collected: Array<[id: number, entries: number]> = [];
    for (let n = 0; n < snapshot.nodeCount; n++) {
      const collection = collectionOf(snapshot, n, minObjectProperties);
      if (collection && collection.entries > 0) collected.push([snapshot.nodeId[n]!, collection.entries]);
    }
    collected.sort((a, b) => a[0] - b[0]);
    this.collectionIds = Float64Array.from(collected, (c) => c[0]);
    this.collectionEntries = Uint32Array.from(collected, (c) => c[1]);
  }

  /** hasId tells whether the snapshot held the object with V8 id `id`. */
  hasId(id: number): boolean {
    return indexOf(this.ids, id) >= 0;
  }

  /** entriesOf is the entries the object with id `id` had as a collection (0 if none), or undefined if it did not exist. */
  entriesOf(id: number): number | undefined {
    if (!this.hasId(id)) return undefined;
    const at = indexOf(this.collectionIds, id);
    return at < 0 ? 0 : this.collectionEntries[at]!;
  }
}

/** EarlierSnapshot is a snapshot before the last of a series: whole, or its digest. */
export type EarlierSnapshot = HeapSnapshot | SnapshotDigest;

/** The property count from which a plain object counts as a collection (an object used as a map). */
const minObjectProperties = 16;

/**
 * entriesThen is how many entries the object with V8 id `id` had as a
 * collection in an earlier snapshot (0 if it was none), or undefined if it
 * did not exist then.
 */
export function entriesThen(snapshot: EarlierSnapshot, id: number): number | undefined {
  if (snapshot instanceof SnapshotDigest) return snapshot.entriesOf(id);
  const then = snapshot.ordinalOfId(id);
  return then < 0 ? undefined : (collectionOf(snapshot, then, minObjectProperties)?.entries ?? 0);
}

/** digestOf is a snapshot's digest (a digest is its own). */
export function digestOf(snapshot: EarlierSnapshot): SnapshotDigest {
  return snapshot instanceof HeapSnapshot ? new SnapshotDigest(snapshot) : snapshot;
}

function indexOf(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** SnapshotSeries is snapshots of one process in the order taken: the last whole, the others whole or digested. */
export interface SnapshotSeries {
  earlier: readonly EarlierSnapshot[];
  last: HeapSnapshot;
}
