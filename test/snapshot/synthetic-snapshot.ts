import { readHeapSnapshot } from '../../src/snapshot/read-snapshot.js';
import type { HeapSnapshot } from '../../src/snapshot/heap-snapshot.js';

/** SyntheticNode is one node of a hand-made heap graph for tests. */
export interface SyntheticNode {
  type: string;
  name: string;
  selfSize: number;
  id?: number;
  edges: { type: string; name: string | number; to: number }[];
}

/** The node and edge types Node 20 (V8 11.3) declares. */
export const nodeTypes = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic',
  'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape', 'wasm object'];
export const edgeTypes = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

/**
 * syntheticSnapshotJson writes a graph in V8's heap snapshot format, with the
 * meta of Node 20 (or the given node fields, to test other layouts).
 */
export function syntheticSnapshotJson(nodes: SyntheticNode[], nodeFields = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness']): string {
  const strings: string[] = [''];
  const stringIndex = new Map<string, number>([['', 0]]);
  const intern = (s: string) => {
    let i = stringIndex.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      stringIndex.set(s, i);
    }
    return i;
  };
  const nodeNumbers: number[] = [];
  const edgeNumbers: number[] = [];
  nodes.forEach((node, i) => {
    for (const f of nodeFields) {
      switch (f) {
        case 'type': nodeNumbers.push(nodeTypes.indexOf(node.type)); break;
        case 'name': nodeNumbers.push(intern(node.name)); break;
        case 'id': nodeNumbers.push(node.id ?? i * 2 + 1); break;
        case 'self_size': nodeNumbers.push(node.selfSize); break;
        case 'edge_count': nodeNumbers.push(node.edges.length); break;
        default: nodeNumbers.push(0);
      }
    }
    for (const e of node.edges) {
      const indexed = e.type === 'element' || e.type === 'hidden';
      edgeNumbers.push(edgeTypes.indexOf(e.type), indexed ? Number(e.name) : intern(String(e.name)), e.to * nodeFields.length);
    }
  });
  const meta = {
    node_fields: nodeFields,
    node_types: nodeFields.map((f) => (f === 'type' ? nodeTypes : 'number')),
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [edgeTypes, 'string_or_number', 'node'],
    location_fields: ['object_index', 'script_id', 'line', 'column'],
  };
  return `{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":${nodes.length},"edge_count":${edgeNumbers.length / 3},"trace_function_count":0},\n` +
    `"nodes":[${nodeNumbers.join(',')}],\n"edges":[${edgeNumbers.join(',')}],\n"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],\n` +
    `"strings":[${strings.map((s) => JSON.stringify(s)).join(',\n')}]}`;
}

/** syntheticSnapshot parses a hand-made graph with the real reader. */
export function syntheticSnapshot(nodes: SyntheticNode[]): Promise<HeapSnapshot> {
  return readHeapSnapshot(Buffer.from(syntheticSnapshotJson(nodes)), { name: 'synthetic' });
}
