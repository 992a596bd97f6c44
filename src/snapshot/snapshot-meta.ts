import { TsprofError } from '../errors.js';

/**
 * SnapshotLayout is what `snapshot.meta` tells about the flat arrays of a V8
 * heap snapshot: how many numbers make one node or edge, where each field
 * sits, and the names behind the enumerated type fields. V8 has added fields
 * over the years (trace_node_id, detachedness), so nothing is assumed: the
 * layout is read from each file.
 */
export interface SnapshotLayout {
  nodeFieldCount: number;
  edgeFieldCount: number;
  /** Position of each node field within one node record; -1 when the file lacks it. */
  nodeField: {
    type: number;
    name: number;
    id: number;
    selfSize: number;
    edgeCount: number;
    traceNodeId: number;
    detachedness: number;
  };
  /** Position of each edge field within one edge record. */
  edgeField: { type: number; nameOrIndex: number; toNode: number };
  nodeTypes: string[];
  edgeTypes: string[];
  /** Fields of one `locations` record, or an empty list when absent. */
  locationFields: string[];
  /** Fields of one `trace_function_infos` record and of one `trace_tree` node (allocation tracking), or empty. */
  traceFunctionInfoFields: string[];
  traceNodeFields: string[];
  /** Counts announced in the header (used to size arrays; checked at the end). */
  declaredNodeCount: number | undefined;
  declaredEdgeCount: number | undefined;
}

const requiredNodeFields = ['type', 'name', 'id', 'self_size', 'edge_count'] as const;
const requiredEdgeFields = ['type', 'name_or_index', 'to_node'] as const;

/**
 * snapshotLayout validates the parsed `snapshot` header object and derives the
 * layout. Anything the engine cannot work with is a TsprofError naming the
 * input and the missing piece.
 */
export function snapshotLayout(header: unknown, inputName: string): SnapshotLayout {
  const bad = (what: string) => new TsprofError(`${inputName}: not a V8 heap snapshot we can read: ${what}`);
  if (!isRecord(header)) throw bad('"snapshot" is not an object');
  const meta = header['meta'];
  if (!isRecord(meta)) throw bad('"snapshot.meta" is missing');
  const nodeFields = stringList(meta['node_fields']);
  const edgeFields = stringList(meta['edge_fields']);
  if (!nodeFields) throw bad('"snapshot.meta.node_fields" is missing or not a list of names');
  if (!edgeFields) throw bad('"snapshot.meta.edge_fields" is missing or not a list of names');
  for (const f of requiredNodeFields) {
    if (!nodeFields.includes(f)) throw bad(`unknown meta: node_fields lack "${f}" (have ${nodeFields.join(', ')})`);
  }
  for (const f of requiredEdgeFields) {
    if (!edgeFields.includes(f)) throw bad(`unknown meta: edge_fields lack "${f}" (have ${edgeFields.join(', ')})`);
  }
  const nodeTypeList = Array.isArray(meta['node_types']) ? meta['node_types'][nodeFields.indexOf('type')] : undefined;
  const edgeTypeList = Array.isArray(meta['edge_types']) ? meta['edge_types'][edgeFields.indexOf('type')] : undefined;
  const nodeTypes = stringList(nodeTypeList);
  const edgeTypes = stringList(edgeTypeList);
  if (!nodeTypes) throw bad('unknown meta: node_types has no list of type names');
  if (!edgeTypes) throw bad('unknown meta: edge_types has no list of type names');
  for (const t of ['hidden', 'object', 'string', 'synthetic']) {
    if (!nodeTypes.includes(t)) throw bad(`unknown meta: node type "${t}" is missing`);
  }
  for (const t of ['element', 'property', 'internal', 'weak']) {
    if (!edgeTypes.includes(t)) throw bad(`unknown meta: edge type "${t}" is missing`);
  }
  if (nodeTypes.length > 255 || edgeTypes.length > 255) throw bad('unknown meta: more than 255 node or edge types');
  return {
    nodeFieldCount: nodeFields.length,
    edgeFieldCount: edgeFields.length,
    nodeField: {
      type: nodeFields.indexOf('type'),
      name: nodeFields.indexOf('name'),
      id: nodeFields.indexOf('id'),
      selfSize: nodeFields.indexOf('self_size'),
      edgeCount: nodeFields.indexOf('edge_count'),
      traceNodeId: nodeFields.indexOf('trace_node_id'),
      detachedness: nodeFields.indexOf('detachedness'),
    },
    edgeField: {
      type: edgeFields.indexOf('type'),
      nameOrIndex: edgeFields.indexOf('name_or_index'),
      toNode: edgeFields.indexOf('to_node'),
    },
    nodeTypes,
    edgeTypes,
    locationFields: stringList(meta['location_fields']) ?? [],
    traceFunctionInfoFields: stringList(meta['trace_function_info_fields']) ?? [],
    traceNodeFields: stringList(meta['trace_node_fields']) ?? [],
    declaredNodeCount: countOrUndefined(header['node_count']),
    declaredEdgeCount: countOrUndefined(header['edge_count']),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string')) return undefined;
  return v as string[];
}

function countOrUndefined(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}
