import { heapTableToPprof, HeapSampleTable } from '../../src/source/v8-heap-profile.js';
import { plainFrameNamer } from '../../src/source/v8-frames.js';

/** A node of a V8 sampling heap profile's tree, as HeapProfiler.getSamplingProfile returns it. */
export interface V8HeapNode {
  callFrame: { functionName: string; url: string; scriptId: number; lineNumber: number; columnNumber: number };
  selfSize: number;
  id: number;
  children: V8HeapNode[];
}

/**
 * V8HeapTree builds a small V8 sampling heap profile by hand (one function per
 * node, every sample one object of the sampling interval) and encodes it as the
 * agent's pprof, for tests of what readers make of known samples.
 */
export class V8HeapTree {
  private nextId = 1;
  readonly interval: number;

  constructor(interval = 65536) {
    this.interval = interval;
  }

  /** node adds a function holding `samples` objects of one interval each. */
  node(functionName: string, url: string, samples: number, children: V8HeapNode[] = []): V8HeapNode {
    const callFrame = { functionName, url, scriptId: 1, lineNumber: 3, columnNumber: 1 };
    return { callFrame, selfSize: samples * this.interval, id: this.nextId++, children };
  }

  /** encode writes the profile under a `(root)` of the given nodes, with the comments given. */
  encode(top: V8HeapNode[], comments: string[] = []): Uint8Array {
    const head = this.node('(root)', '', 0, top);
    const samples: { size: number; nodeId: number; ordinal: number }[] = [];
    const visit = (n: V8HeapNode) => {
      for (let k = 0; k < n.selfSize / this.interval; k++) samples.push({ size: this.interval, nodeId: n.id, ordinal: samples.length });
      n.children.forEach(visit);
    };
    visit(head);
    const table = HeapSampleTable.fromV8({ head, samples } as never, this.interval);
    return heapTableToPprof(table, { kind: 'inuse', interval: this.interval, namer: plainFrameNamer, comments }).encode();
  }
}
