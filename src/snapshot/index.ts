/**
 * The heap snapshot engine: read V8 `.heapsnapshot` files, compute dominators
 * and retained sizes, shortest retainer paths, a Summary by constructor, and
 * leak signatures (sliced strings, large collections, growth across snapshots).
 */
export { readHeapSnapshot, type ReadSnapshotOptions } from './read-snapshot.js';
export { HeapSnapshot, type HeapSnapshotColumns, type Retainers, type TypeCodes } from './heap-snapshot.js';
export { SnapshotParser } from './snapshot-parser.js';
export { type SnapshotLayout } from './snapshot-meta.js';
export { essentialEdges, userOwnedNodes } from './essential-edges.js';
export { computeDominators, dominatorsOf, type Dominators } from './dominators.js';
export { directRetainers, retainerPath, retainerTreeOf, type RetainerStep, type RetainerTree } from './retainer-paths.js';
export { formatRetainerPath, nodeLabel, PathSignatures, type PathFormat } from './path-format.js';
export { summarizeByConstructor, classIndexOf, type ConstructorSummary, type ClassIndex } from './summary.js';
export {
  findSlicedStringLeaks, largestCollections,
  type SlicedStringLeak, type SlicedStringOptions, type CollectionReport, type CollectionOptions,
} from './leak-signatures.js';
export { snapshotGrowth, type SnapshotGrowth, type GrowthGroup, type GrowthOptions } from './growth.js';
export { SnapshotDigest, digestOf, entriesThen, type EarlierSnapshot, type SnapshotSeries } from './snapshot-digest.js';
