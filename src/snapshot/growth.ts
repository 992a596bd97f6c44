import { TsprofError } from '../errors.js';
import { dominatorsOf } from './dominators.js';
import { HeapSnapshot } from './heap-snapshot.js';
import { PathSignatures } from './path-format.js';
import type { EarlierSnapshot } from './snapshot-digest.js';
import { classIndexOf } from './summary.js';

/** GrowthGroup is a set of new, still-alive objects of one class held through one retainer path. */
export interface GrowthGroup {
  className: string;
  /** Shortest retainer path (in the last snapshot) with indexes generalized. */
  path: string;
  count: number;
  /** Sum of the objects' own sizes. */
  shallowSize: number;
  /** Retained size of the group's objects not themselves held by another new object. */
  retainedSize: number;
  /** V8 ids of a few members, for `tsprof snapshot retainers`. */
  exampleIds: number[];
}

/** SnapshotGrowth is what a series of snapshots of one process says about growth. */
export interface SnapshotGrowth {
  /** How many snapshots were compared (2 or 3). */
  snapshots: number;
  /** New objects counted (after the filters). */
  newObjects: number;
  newBytes: number;
  /** Largest groups first (by shallow size). */
  groups: GrowthGroup[];
}

/** GrowthOptions tunes snapshotGrowth. */
export interface GrowthOptions {
  /** Groups to return (default 20). */
  limit?: number;
  /** Also count V8's own objects (code, maps, system objects), which churn without leaking (default false). */
  includeInternal?: boolean;
}

/**
 * snapshotGrowth finds the objects that a process allocated and kept between
 * heap snapshots, using V8's object ids, which stay the same for an object's
 * whole life:
 *
 * - two snapshots [before, after]: objects in `after` whose id is not in `before`;
 * - three [baseline, target, final] (memlab's scheme, for servers): objects
 *   allocated between baseline and target that are still alive in final, so
 *   what one round of work allocated and never let go.
 *
 * They are grouped by class and by the shortest retainer path in the last
 * snapshot, the largest groups first. All snapshots must come from one
 * process (ids of different processes are unrelated). Only the last is read
 * whole: the others may be given as their digests.
 */
export function snapshotGrowth(snapshots: readonly EarlierSnapshot[], options: GrowthOptions = {}): SnapshotGrowth {
  if (snapshots.length < 2 || snapshots.length > 3) {
    throw new TsprofError(`snapshot growth needs 2 or 3 snapshots of one process, got ${snapshots.length}`);
  }
  const last = snapshots[snapshots.length - 1]!;
  if (!(last instanceof HeapSnapshot)) throw new TsprofError('snapshot growth needs the last snapshot whole, not its digest');
  const limit = options.limit ?? 20;
  const baseline = snapshots[0]!;
  const target = snapshots[1]!;
  const types = last.types;
  const internalTypes = new Set([types.hidden, types.code, types.objectShape, types.synthetic].filter((t) => t >= 0));
  const { dominator, retainedSize, reachable } = dominatorsOf(last);
  const isNew = new Uint8Array(last.nodeCount);
  let newObjects = 0;
  let newBytes = 0;
  for (let n = 0; n < last.nodeCount; n++) {
    if (!reachable[n]) continue;
    if (!options.includeInternal && internalTypes.has(last.nodeType[n]!)) continue;
    const id = last.nodeId[n]!;
    if (baseline.hasId(id)) continue;
    // With three snapshots the object must have existed at the target already.
    if (snapshots.length === 3 && !target.hasId(id)) continue;
    isNew[n] = 1;
    newObjects++;
    newBytes += last.nodeSelfSize[n]!;
  }
  interface Group { className: string; path: string; count: number; shallow: number; retained: number; ids: number[] }
  // Grouped by (path id, class) numbers: no string is built per object.
  const groups = new Map<number, Group>();
  const paths = new PathSignatures(last, { generalize: true });
  const { classOf, names } = classIndexOf(last);
  for (let n = 0; n < last.nodeCount; n++) {
    if (!isNew[n]) continue;
    const pathId = paths.idOf(n);
    const key = (pathId + 2) * names.length + classOf[n]!;
    let g = groups.get(key);
    if (!g) {
      g = { className: names[classOf[n]!]!, path: paths.textOf(pathId), count: 0, shallow: 0, retained: 0, ids: [] };
      groups.set(key, g);
    }
    g.count++;
    g.shallow += last.nodeSelfSize[n]!;
    if (!isNew[dominator[n]!]) g.retained += retainedSize[n]!;
    if (g.ids.length < 3) g.ids.push(last.nodeId[n]!);
  }
  const sorted = [...groups.values()].sort((a, b) => b.shallow - a.shallow || b.count - a.count);
  return {
    snapshots: snapshots.length,
    newObjects,
    newBytes,
    groups: sorted.slice(0, limit).map((g) => ({
      className: g.className,
      path: g.path,
      count: g.count,
      shallowSize: g.shallow,
      retainedSize: g.retained,
      exampleIds: g.ids,
    })),
  };
}
