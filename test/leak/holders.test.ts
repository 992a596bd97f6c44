import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readHeapSnapshot } from '../../src/snapshot/read-snapshot.js';
import { holderName, joinHolders } from '../../src/leak/holders.js';
import { heldConclusion, formatHeldMemory, shortPath } from '../../src/leak/format-holders.js';
import { analyzeGrowth } from '../../src/leak/growth-report.js';
import type { Frame, HeapObservation } from '../../src/leak/heap-observation.js';

const v8 = new URL('../../../test/fixtures/v8/', import.meta.url);
const KB = 1024;

/** A growth report whose one growing site makes objects of objectBytes each, 4 MB more every 5 s. */
function growthWithSite(objectBytes: number) {
  const perStep = Math.ceil((4 << 20) / objectBytes);
  const site: Frame = { functionName: 'parseContainerMetricsResponse', file: 'leaky-fetcher.js', line: 40 };
  const observations: HeapObservation[] = Array.from({ length: 8 }, (_, i) => ({
    timeMs: i * 5000,
    samples: [{ stack: [site], bytes: (i + 1) * perStep * objectBytes, objects: (i + 1) * perStep }],
  }));
  return analyzeGrowth(observations);
}

test('holderName names the holder by the edge that leads to it', () => {
  assert.equal(holderName(['global.resolver', 'CgroupResolver.cache', 'Map']), 'CgroupResolver.cache (a Map)');
  assert.equal(holderName(['x', 'system / Context.pending', 'Object[]']), 'Context.pending (an Object array)');
  assert.equal(holderName(['(GC roots)', 'Map']), 'Map');
  assert.equal(shortPath('a → b → c → d → e → f → g', 3), '… → e → f → g');
});

test('the leaky fixture: a growing site making ~340 kB strings is held by CgroupResolver.cache through sliced strings', async () => {
  const leaky = await readHeapSnapshot(new URL('leaky.heapsnapshot.gz', v8).pathname);
  // The fixture's responses are ~342 kB each (10 507 120 B kept by 30 parents).
  const growth = growthWithSite(300 * KB);
  assert.equal(growth.growing.length, 1);
  const held = joinHolders(growth, leaky, leaky);
  const holders = held.sites[0]!.holders;
  assert.equal(holders[0]!.kind, 'sliced-strings');
  assert.equal(holders[0]!.holder, 'CgroupResolver.cache (a Map)');
  assert.equal(holders[0]!.count, 30);
  assert.equal(holders[0]!.bytes, 10507120);
  assert.match(holders[0]!.through!, /^30 sliced-string keys of \d+B$/);
  assert.match(holders[0]!.path, /CgroupResolver\.cache → Map → \(sliced string\) → parent$/);
  // Same snapshot twice: nothing is new.
  assert.equal(held.newObjects.count, 0);
  assert.equal(holders[0]!.newSinceStart, undefined);
  assert.ok(held.collections.some((c) => c.kind === 'Map' && c.path === 'global.resolver → CgroupResolver.cache → Map'));
  const text = formatHeldMemory(held);
  assert.match(text, /held by CgroupResolver\.cache \(a Map\) through 30 sliced-string keys of \d+B that keep 30 strings of 342\.03kB alive \(10\.02MB\)/);
  assert.match(text, /fix: copy the slice before keeping it/);
  assert.match(
    heldConclusion(growth, held),
    /^Verdict: in-use memory allocated in parseContainerMetricsResponse grows [\d.]+MB\/min \(high confidence\); it is held by CgroupResolver\.cache \(a Map\) through 30 sliced-string keys of \d+B that keep 30 strings of 342\.03kB alive: copy the slice before keeping it\.$/,
  );
});

test('holders are matched by object size: a site making small objects is not blamed on the responses', async () => {
  const leaky = await readHeapSnapshot(new URL('leaky.heapsnapshot.gz', v8).pathname);
  const growth = growthWithSite(200);
  assert.equal(growth.growing.length, 1);
  const held = joinHolders(growth, leaky, leaky);
  assert.deepEqual(held.sites[0]!.holders, []);
  assert.equal(held.slicedStrings.length, 1, 'the signature is still listed on its own');
  assert.match(formatHeldMemory(held), /no leak signature or new objects of that size/);
});

test('the fixed fixture has no sliced-string holder', async () => {
  const fixed = await readHeapSnapshot(new URL('fixed.heapsnapshot.gz', v8).pathname);
  const held = joinHolders(growthWithSite(300 * KB), fixed, fixed);
  assert.deepEqual(held.slicedStrings, []);
  assert.deepEqual(held.sites[0]!.holders, []);
});
