/**
 * The process whose heap the snapshot benchmark analyzes: a service-like
 * Node process with real modules loaded (the TypeScript compiler, fast-check,
 * pprof-format) and a large heap of the shapes real services hold: class
 * instances in Maps and Sets, nested objects and arrays, closures over
 * per-item state, strings of all kinds (flat, concatenated, sliced), typed
 * arrays and a dictionary-mode object. It writes one heap snapshot to the
 * path given and exits.
 *
 *   node dist/bench/snapshot-heap-program.js OUT.heapsnapshot [SCALE]
 *
 * SCALE (default 1) multiplies the number of items; 1 gives a snapshot of
 * roughly 300 MB.
 */
import { writeHeapSnapshot } from 'node:v8';
import { parseBenchFlags } from './support/bench-flags.js';
import { buildServiceHeap } from './support/service-heap.js';

const [out, scaleText] = parseBenchFlags('snapshot-heap-program OUT.heapsnapshot [SCALE]', {}).args;
const scale = Number(scaleText ?? '1');
if (!out || !(scale > 0)) {
  process.stderr.write('usage: snapshot-heap-program OUT.heapsnapshot [SCALE > 0]\n');
  process.exit(2);
}
(globalThis as Record<string, unknown>).benchState = buildServiceHeap(scale);
const file = writeHeapSnapshot(out);
process.stdout.write(`${file}\n`);
