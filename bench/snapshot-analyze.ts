/**
 * One tsprof run of the snapshot benchmark, in its own process so its peak
 * memory is its own: read the snapshot, compute dominators and retained
 * sizes, build the Summary by constructor, print the top rows.
 *
 *   node dist/bench/snapshot-analyze.js FILE
 */
import { readHeapSnapshot } from '../src/snapshot/read-snapshot.js';
import { dominatorsOf } from '../src/snapshot/dominators.js';
import { summarizeByConstructor } from '../src/snapshot/summary.js';
import { parseBenchFlags } from './support/bench-flags.js';

const [file] = parseBenchFlags('snapshot-analyze FILE', {}).args;
if (!file) {
  process.stderr.write('usage: snapshot-analyze FILE\n');
  process.exit(2);
}
const start = process.hrtime.bigint();
const snapshot = await readHeapSnapshot(file);
const parsed = process.hrtime.bigint();
const { retainedSize } = dominatorsOf(snapshot);
const dominated = process.hrtime.bigint();
const rows = summarizeByConstructor(snapshot);
const done = process.hrtime.bigint();
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
process.stdout.write(JSON.stringify({
  nodes: snapshot.nodeCount,
  edges: snapshot.edgeCount,
  totalSize: retainedSize[0],
  parseMs: ms(start, parsed),
  dominatorsMs: ms(parsed, dominated),
  summaryMs: ms(dominated, done),
  top: rows.slice(0, 5).map((r) => [r.className, r.count, r.retainedSize]),
}) + '\n');
