import type { SnapshotLayout } from './snapshot-meta.js';

/** AllocationFrame is one frame of the stack that allocated an object, as V8's allocation tracker saw it. */
export interface AllocationFrame {
  functionName: string;
  /** The script's URL or path ('' when V8 did not know it). */
  scriptName: string;
  /** 1-based, 0 when unknown. */
  line: number;
  column: number;
}

/** isApplicationFrame: a frame of the application, not of Node's own code or of V8's builtins (no script). */
export function isApplicationFrame(f: AllocationFrame): boolean {
  return f.scriptName !== '' && !f.scriptName.startsWith('node:') && !f.scriptName.startsWith('internal/');
}

/**
 * AllocationTraces is the allocation tracker's part of a heap snapshot taken
 * while V8 tracked allocations (HeapProfiler.startTrackingHeapObjects with
 * trackAllocations): a tree of call stacks (`trace_tree`) whose nodes each
 * object names by its `trace_node_id`, and the functions they run
 * (`trace_function_infos`). Objects allocated before tracking began name 0.
 */
export class AllocationTraces {
  /** Per trace node id: its function's index and its parent's id (0 at the top). */
  private readonly functionOf = new Map<number, number>();
  private readonly parentOf = new Map<number, number>();

  private constructor(
    private readonly functions: readonly AllocationFrame[],
    tree: unknown,
    fields: { id: number; functionIndex: number; children: number; count: number },
  ) {
    // The tree nests: [id, function, count, size, [children...], id, ...]; walked without recursion.
    const pending: { list: unknown[]; parent: number }[] = Array.isArray(tree) ? [{ list: tree, parent: 0 }] : [];
    while (pending.length > 0) {
      const { list, parent } = pending.pop()!;
      for (let i = 0; i + fields.count <= list.length; i += fields.count) {
        const id = list[i + fields.id];
        const fn = list[i + fields.functionIndex];
        if (typeof id !== 'number' || typeof fn !== 'number') continue;
        this.functionOf.set(id, fn);
        this.parentOf.set(id, parent);
        const children = list[i + fields.children];
        if (Array.isArray(children) && children.length > 0) pending.push({ list: children, parent: id });
      }
    }
  }

  /**
   * from builds the traces of a snapshot from its layout and its two raw
   * sections; undefined when the snapshot has none (taken without tracking).
   */
  static from(layout: SnapshotLayout, functionInfos: unknown, tree: unknown, strings: readonly string[]): AllocationTraces | undefined {
    const ff = layout.traceFunctionInfoFields;
    const tf = layout.traceNodeFields;
    if (!Array.isArray(functionInfos) || functionInfos.length === 0 || ff.length === 0 || tf.length === 0) return undefined;
    const at = (name: string) => ff.indexOf(name);
    const [nameAt, scriptAt, lineAt, columnAt] = [at('name'), at('script_name'), at('line'), at('column')];
    const functions: AllocationFrame[] = [];
    for (let i = 0; i + ff.length <= functionInfos.length; i += ff.length) {
      const num = (k: number) => (k >= 0 && typeof functionInfos[i + k] === 'number' ? (functionInfos[i + k] as number) : -1);
      const text = (k: number) => strings[num(k)] ?? '';
      // V8 writes line and column 0-based, -1 when unknown.
      functions.push({ functionName: text(nameAt), scriptName: text(scriptAt), line: num(lineAt) + 1, column: num(columnAt) + 1 });
    }
    const fields = { id: tf.indexOf('id'), functionIndex: tf.indexOf('function_info_index'), children: tf.indexOf('children'), count: tf.length };
    if (fields.id < 0 || fields.functionIndex < 0 || fields.children < 0) return undefined;
    return new AllocationTraces(functions, tree, fields);
  }

  /** stackOf is the allocating stack of trace node `id`, leaf first; empty for 0 (before tracking) or unknown ids. */
  stackOf(id: number): AllocationFrame[] {
    const stack: AllocationFrame[] = [];
    for (let at = id, guard = 0; at !== 0 && guard < 10_000; guard++) {
      const fn = this.functionOf.get(at);
      if (fn === undefined) break;
      const frame = this.functions[fn];
      if (frame && frame.functionName !== '(root)') stack.push(frame);
      at = this.parentOf.get(at) ?? 0;
    }
    return stack;
  }
}
