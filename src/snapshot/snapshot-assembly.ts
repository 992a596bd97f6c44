import { TsprofError } from '../errors.js';
import { AllocationTraces } from './allocation-traces.js';
import { HeapSnapshot } from './heap-snapshot.js';
import { type ColumnSink, ColumnKind, type Columns, recordSink } from './snapshot-columns.js';
import type { SnapshotLayout } from './snapshot-meta.js';

/**
 * nodeColumnSink makes the sink for the "nodes" array: of each node record it
 * keeps type, name, id, self size and edge count, in the narrowest column
 * each fits (type names index a list of at most 255).
 */
export function nodeColumnSink(layout: SnapshotLayout, inputBytes: number | undefined): ColumnSink {
  const f = layout.nodeField;
  // The trace node ids are kept only when the snapshot carries allocation traces to name them.
  const traces: [number, ColumnKind][] = f.traceNodeId >= 0 && layout.traceNodeFields.length > 0 ? [[f.traceNodeId, ColumnKind.U32]] : [];
  return recordSink(layout.nodeFieldCount, [[f.type, ColumnKind.U8], [f.name, ColumnKind.U32], [f.id, ColumnKind.U32],
    [f.selfSize, ColumnKind.F64], [f.edgeCount, ColumnKind.U32], ...traces], layout.declaredNodeCount, inputBytes);
}

/** edgeColumnSink makes the sink for the "edges" array: type, name or index, and target of each edge. */
export function edgeColumnSink(layout: SnapshotLayout, inputBytes: number | undefined): ColumnSink {
  const g = layout.edgeField;
  return recordSink(layout.edgeFieldCount, [[g.type, ColumnKind.U8], [g.nameOrIndex, ColumnKind.U32], [g.toNode, ColumnKind.U32]],
    layout.declaredEdgeCount, inputBytes);
}

/** SnapshotSections is what the parser read: the header's layout and the decoded arrays. */
export interface SnapshotSections {
  layout: SnapshotLayout;
  nodes: Columns;
  edges: Columns;
  strings: string[];
  locations: Uint32Array | undefined;
  /** The allocation tracker's sections as parsed, when present. */
  traceSections?: { trace_function_infos?: unknown; trace_tree?: unknown };
}

/**
 * assembleSnapshot checks every cross reference of the decoded arrays once
 * (counts against the header, types against the meta, names against the
 * strings, edge targets against the nodes), so analyses can index without
 * checks, and builds the HeapSnapshot. Edge targets are turned from offsets
 * into the flat node array into node indices, in place.
 */
export function assembleSnapshot(sections: SnapshotSections, inputName: string): HeapSnapshot {
  const { layout, nodes, edges, strings } = sections;
  const bad = (what: string) => new TsprofError(`${inputName}: malformed heap snapshot: ${what}`);
  const f = layout.nodeField;
  const g = layout.edgeField;
  const nodeCount = nodes.rows;
  const edgeCount = edges.rows;
  if (nodeCount === 0) throw bad('no nodes');
  if (layout.declaredNodeCount !== undefined && layout.declaredNodeCount !== nodeCount) {
    throw bad(`the header announces ${layout.declaredNodeCount} nodes, the file has ${nodeCount}`);
  }
  if (layout.declaredEdgeCount !== undefined && layout.declaredEdgeCount !== edgeCount) {
    throw bad(`the header announces ${layout.declaredEdgeCount} edges, the file has ${edgeCount}`);
  }
  const nodeType = nodes.columns[f.type] as Uint8Array;
  const nodeName = nodes.columns[f.name] as Uint32Array;
  const nodeEdgeCount = nodes.columns[f.edgeCount] as Uint32Array;
  const edgeType = edges.columns[g.type] as Uint8Array;
  const edgeNameOrIndex = edges.columns[g.nameOrIndex] as Uint32Array;
  const edgeToNode = edges.columns[g.toNode] as Uint32Array;
  let total = 0;
  for (let i = 0; i < nodeCount; i++) {
    if (nodeType[i]! >= layout.nodeTypes.length) throw bad(`node ${i} has unknown type ${nodeType[i]}`);
    if (nodeName[i]! >= strings.length) throw bad(`node ${i} names string ${nodeName[i]}, beyond the ${strings.length} strings`);
    total += nodeEdgeCount[i]!;
  }
  if (total !== edgeCount) throw bad(`the nodes' edge counts add up to ${total}, but there are ${edgeCount} edges`);
  const nfc = layout.nodeFieldCount;
  const limit = nodeCount * nfc;
  for (let e = 0; e < edgeCount; e++) {
    const to = edgeToNode[e]!;
    if (to % nfc !== 0 || to >= limit) throw bad(`edge ${e} points to ${to}, not a node`);
    edgeToNode[e] = to / nfc;
    if (edgeType[e]! >= layout.edgeTypes.length) throw bad(`edge ${e} has unknown type ${edgeType[e]}`);
  }
  return new HeapSnapshot({
    layout,
    nodeType,
    nodeName,
    nodeId: nodes.columns[f.id] as Uint32Array,
    nodeSelfSize: nodes.columns[f.selfSize] as Float64Array,
    nodeEdgeCount,
    edgeType,
    edgeNameOrIndex,
    edgeToNode,
    strings,
    locations: sections.locations,
    ...allocationTracesOf(sections, nodes, strings),
  });
}

/** allocationTracesOf gives the snapshot its allocation traces and each node's trace id, when it has both. */
function allocationTracesOf(sections: SnapshotSections, nodes: Columns, strings: string[]): { traces?: AllocationTraces; nodeTraceId?: Uint32Array } {
  const column = nodes.columns[sections.layout.nodeField.traceNodeId];
  if (!(column instanceof Uint32Array)) return {};
  const traces = AllocationTraces.from(sections.layout, sections.traceSections?.trace_function_infos, sections.traceSections?.trace_tree, strings);
  return traces ? { traces, nodeTraceId: column } : {};
}
