/**
 * The process whose three heap snapshots the holder benchmark analyzes: the
 * service heap of snapshot-heap-program (≥ 200 MB at scale 1), then rounds of
 * request handling that leak. Each round caches a rendered report per request
 * in a module-level Map that nothing evicts (the leak), and makes as much
 * garbage again. It writes a snapshot before the first leaking round, after
 * it and after a second (memlab's baseline, target and final) and exits.
 *
 *   node dist/bench/snapshot-leak-program.js DIR [SCALE]
 *
 * It writes DIR/baseline.heapsnapshot, DIR/target.heapsnapshot and
 * DIR/final.heapsnapshot.
 */
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { parseBenchFlags } from './support/bench-flags.js';
import { buildServiceHeap } from './support/service-heap.js';

const [dir, scaleText] = parseBenchFlags('snapshot-leak-program DIR [SCALE]', {}).args;
const scale = Number(scaleText ?? '1');
if (!dir || !(scale > 0)) {
  process.stderr.write('usage: snapshot-leak-program DIR [SCALE > 0]\n');
  process.exit(2);
}

class RenderedReport {
  readonly sections: { title: string; rows: string[] }[] = [];
  constructor(readonly requestId: string, readonly renderedAt: number) {}
}

/** The leak: every request's report, kept by request id, never evicted. */
const reportCache = new Map<string, RenderedReport>();

function renderReport(requestId: string, round: number): RenderedReport {
  const report = new RenderedReport(requestId, 1_700_000_000_000 + round);
  for (let s = 0; s < 4; s++) {
    const rows: string[] = [];
    for (let r = 0; r < 6; r++) rows.push(`${requestId} section ${s} row ${r}: ${(r * 37 + s).toString(36).padStart(24, '.')}`);
    report.sections.push({ title: `Section ${s} of ${requestId}`, rows });
  }
  return report;
}

let garbage = 0;
function handleRequests(round: number, count: number): void {
  for (let i = 0; i < count; i++) {
    const id = `req-${round}-${i}`;
    reportCache.set(id, renderReport(id, round));
    // As much garbage as kept: the parse of the request, gone after it.
    const scratch = renderReport(`${id}-scratch`, round);
    garbage += scratch.sections.length;
  }
}

(globalThis as Record<string, unknown>).benchState = { service: buildServiceHeap(scale), reportCache };
const requestsPerRound = Math.round(10_000 * scale);
writeHeapSnapshot(join(dir, 'baseline.heapsnapshot'));
handleRequests(1, requestsPerRound);
writeHeapSnapshot(join(dir, 'target.heapsnapshot'));
handleRequests(2, requestsPerRound);
writeHeapSnapshot(join(dir, 'final.heapsnapshot'));
process.stdout.write(`${reportCache.size} reports cached, ${garbage} garbage sections\n`);
