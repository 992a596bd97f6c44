// Heap snapshots taken while V8 tracks allocations name each object's allocating stack; the reader keeps it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AllocationFrame, AllocationTraces } from '../../src/snapshot/allocation-traces.js';
import { readHeapSnapshot } from '../../src/snapshot/read-snapshot.js';

/** A program that tracks allocations, decodes five ~1 MB responses as the story's parser does, and writes the snapshot. */
const trackingProgram = `
const { Session } = require('node:inspector/promises');
const { writeFileSync } = require('node:fs');
(async () => {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  globalThis.before = new (class BeforeTracking {})(); // allocated before tracking: no stack
  await session.post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
  globalThis.kept = [];
  function parseResponse(body) { return body.toString('utf8'); }
  function fetchLoop() { for (let i = 0; i < 5; i++) kept.push(parseResponse(Buffer.alloc(1100000, 97 + i))); }
  fetchLoop();
  const chunks = [];
  session.on('HeapProfiler.addHeapSnapshotChunk', (m) => chunks.push(m.params.chunk));
  await session.post('HeapProfiler.stopTrackingHeapObjects', { reportProgress: false });
  writeFileSync(process.argv[2], chunks.join(''));
})();
`;

test('a snapshot taken while V8 tracks allocations names the stack that allocated each object; one taken without has none', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-traces-'));
  try {
    writeFileSync(join(dir, 'track.cjs'), trackingProgram);
    const file = join(dir, 'tracked.heapsnapshot');
    await new Promise<void>((resolve, reject) => execFile(process.execPath, [join(dir, 'track.cjs'), file], { timeout: 50_000 }, (err, _o, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve())));
    const s = await readHeapSnapshot(file);
    assert.ok(s.traces && s.nodeTraceId, 'the snapshot has allocation traces');
    const traces: AllocationTraces = s.traces;
    const nodeTraceId: Uint32Array = s.nodeTraceId;
    const big: number[] = [];
    for (let n = 0; n < s.nodeCount; n++) if (s.isString(n) && s.nodeSelfSize[n]! >= 1_000_000) big.push(n);
    assert.equal(big.length, 5, 'the five responses, at their full size (external strings on Node 24+ included)');
    for (const n of big) {
      const stack: AllocationFrame[] = traces.stackOf(nodeTraceId[n]!);
      const shown = stack.map((f) => `${f.functionName} ${f.scriptName}`).join(' ← ');
      // Leaf first: Buffer#toString's own frames (node:buffer; V8 builtins have no script), then the app's.
      const app = stack.findIndex((f) => /track\.cjs$/.test(f.scriptName));
      assert.ok(app > 0, `the app's frames follow toString's: ${shown}`);
      assert.ok(stack.slice(0, app).some((f) => f.functionName === 'toString'), shown);
      assert.deepEqual(stack.slice(app, app + 2).map((f) => f.functionName), ['parseResponse', 'fetchLoop'], shown);
      assert.ok(stack[app]!.line > 0, 'with its line');
    }
    const before = [...Array(s.nodeCount).keys()].find((n) => s.classNameOf(n) === 'BeforeTracking');
    assert.ok(before !== undefined);
    assert.equal(nodeTraceId[before], 0, 'an object from before tracking names no stack');
    assert.deepEqual(traces.stackOf(0), []);
    // A plain snapshot (v8.writeHeapSnapshot) has no traces: nothing is made up.
    const plain = join(dir, 'plain.heapsnapshot');
    await new Promise<void>((resolve, reject) => execFile(process.execPath, ['-e', `require('node:v8').writeHeapSnapshot(${JSON.stringify(plain)})`], (err) => (err ? reject(err) : resolve())));
    const p = await readHeapSnapshot(plain);
    assert.equal(p.traces, undefined);
    assert.equal(p.nodeTraceId, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
