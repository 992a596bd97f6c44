// The sites of external strings: the agent samples what Buffer#toString makes external, the end snapshot says what is alive.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startAgent } from '../../src/agent/index.js';
import { sampledStrings } from '../../src/leak/external-sites.js';
import { externalStringSites } from '../../src/leak/external-strings.js';
import { parseProfileBytes } from '../../src/source/load-profile.js';
import { readHeapSnapshot } from '../../src/snapshot/read-snapshot.js';
import { SnapshotDigest } from '../../src/snapshot/snapshot-digest.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const size = 0xfbee9 + 4096; // above Node's EXTERN_APEX: latin1 decodes are external strings on every Node
const kept: string[] = [];

/** decodeBatch decodes log batches and keeps a short id sliced out of each of the first `keep` (the story's leak). */
function decodeBatch(count: number, keep: number): void {
  for (let i = 0; i < count; i++) {
    const text = Buffer.alloc(size, `BATCH-${i} trace=abcdef0123456789 level=info msg="request served"\n`).toString('latin1');
    if (i < keep) kept.push(text.slice(6, 40));
  }
}

/** decodeScratch decodes something of its own and lets it go. */
function decodeScratch(): number {
  return Buffer.alloc(size, 'SCRATCH payload\n').toString('latin1').length;
}

test('external strings alive at the end, new since the start, are counted for the site that made them', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-external-strings-'));
  // Sampling every ~64 KiB: each string of ~1 MB is sampled (probability 1 − e^(−16)), so each kept one is found.
  const agent = await startAgent({ address: '127.0.0.1:0', externalSites: true, heapSamplingInterval: 64 * 1024, log: () => {} });
  try {
    decodeBatch(1, 1); // alive at the start too: not new, so not counted
    gc();
    const start = new SnapshotDigest(await readHeapSnapshot(writeHeapSnapshot(join(dir, 'start.heapsnapshot'))));
    decodeBatch(8, 5); // 5 kept through their slices, 3 gone
    decodeScratch();
    gc();
    gc();
    const end = await readHeapSnapshot(writeHeapSnapshot(join(dir, 'end.heapsnapshot')));
    const url = `${agent.url}/debug/pprof/external`;
    const profile = parseProfileBytes(new Uint8Array(await (await fetch(url)).arrayBuffer()), url);
    const strings = sampledStrings(profile);
    assert.ok(strings.some((s) => s.stack.some((f) => f.functionName === 'decodeScratch')), 'the scratch decode was sampled too');
    const sites = externalStringSites(strings, start, end);
    const batch = sites.find((s) => s.site.functionName === 'decodeBatch');
    assert.ok(batch, JSON.stringify(sites));
    assert.equal(batch.via, 'Buffer#toString');
    assert.equal(batch.strings, true);
    assert.match(batch.site.file, /external-strings\.test\.(js|ts)$/);
    // Five strings, each its characters and a small header, as the snapshot sizes them.
    assert.ok(batch.bytesNow >= 5 * size && batch.bytesNow < 5 * (size + 256), `${batch.bytesNow} bytes for 5 kept strings of ${size}`);
    assert.equal(batch.bytesThen, 0);
    assert.ok(!sites.some((s) => s.site.functionName === 'decodeScratch'), 'what was let go is not alive at the end');
  } finally {
    await agent.stop();
    kept.length = 0;
    rmSync(dir, { recursive: true, force: true });
  }
});
