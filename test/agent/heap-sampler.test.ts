// The sampler's own memory stays bounded over long uptimes, without losing the in-use view.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeapSampler } from '../../src/agent/heap-sampler.js';
import { HeapSampleTable, unsampledEstimate } from '../../src/source/v8-heap-profile.js';

function countNodes(profile: { head: { children: unknown[] } }): number {
  let n = 0;
  const pending: { children: unknown[] }[] = [profile.head];
  while (pending.length) {
    const node = pending.pop()!;
    n++;
    pending.push(...(node.children as { children: unknown[] }[]));
  }
  return n;
}

/** makeAllocators builds `count` distinct functions, so each allocates from its own stack. */
function makeAllocators(count: number, tag: string): (() => unknown)[] {
  return Array.from({ length: count }, (_, i) => new Function(`return function alloc_${tag}_${i}() { return new Array(4000); }`)() as () => unknown);
}

test('in-use view: churning garbage through thousands of stacks leaves V8 holding only what is live', async () => {
  const interval = 16 * 1024;
  const sampler = new HeapSampler({ interval, stackDepth: 64, allocations: false });
  sampler.start();
  try {
    const live: unknown[] = [];
    const keepers = makeAllocators(5, 'live');
    for (let i = 0; i < 500; i++) live.push(keepers[i % 5]!());
    // ~32 KB per call × 2000 distinct stacks × 5 rounds = 320 MB of garbage, sampled every 16 KB.
    for (let round = 0; round < 5; round++) {
      for (const alloc of makeAllocators(2000, `churn${round}`)) alloc();
      await sampler.collectGarbage();
    }
    const profile = sampler.v8Profile();
    // Live: 500 × 32 KB = 16 MB → about 1000 samples; the 320 MB of garbage left nothing behind.
    assert.ok((profile.samples ?? []).length < 3000, `V8 holds ${profile.samples?.length} samples`);
    assert.ok(countNodes(profile) < 2000, `V8's tree has ${countNodes(profile)} nodes after 10,000 dead stacks`);
    const table = sampler.samples();
    const liveBytes = [...table.stacks.values()]
      .filter((s) => s.frames[0]!.functionName.startsWith('alloc_live'))
      .reduce((sum, s) => sum + [...s.samplesBySize].reduce((a, [size, count]) => a + unsampledEstimate(count, size, interval).bytes, 0), 0);
    assert.ok(liveBytes > 16e6 * 0.8 && liveBytes < 16e6 * 1.25, `the in-use view still shows the live 16 MB: ${liveBytes}`);
    assert.equal(live.length, 500);
  } finally {
    sampler.stop();
  }
});

test('allocation view: folding keeps V8 small and the agent’s table within its stack limit', () => {
  const interval = 16 * 1024;
  const maxStacks = 100;
  const sampler = new HeapSampler({ interval, stackDepth: 64, allocations: true }, undefined, 3_600_000, maxStacks);
  sampler.start();
  try {
    let expectedSamples = 0;
    for (let round = 0; round < 4; round++) {
      for (const alloc of makeAllocators(100, `round${round}`)) for (let i = 0; i < 5; i++) alloc();
      expectedSamples += HeapSampleTable.fromV8(sampler.v8Profile(), interval).sampleCount;
      sampler.fold();
      // After a fold V8 starts over: it holds (almost) nothing.
      assert.ok((sampler.v8Profile().samples ?? []).length < 50);
    }
    assert.ok(sampler.foldedStackCount <= maxStacks + 1, `${sampler.foldedStackCount} stacks`);
    const all = sampler.samples();
    const overflow = [...all.stacks.values()].filter((s) => s.frames[0]!.functionName === '(stacks beyond the agent limit)');
    assert.equal(overflow.length, 1, 'stacks past the limit are folded into one pseudo-stack');
    // Nothing is lost by folding: every sample is still counted somewhere.
    assert.ok(all.sampleCount >= expectedSamples, `${all.sampleCount} ≥ ${expectedSamples}`);
  } finally {
    sampler.stop();
  }
});

/** majorGcsDuring counts the full (mark-compact) GCs V8 reports while `work` runs. */
async function majorGcsDuring(work: () => Promise<unknown>): Promise<number> {
  const { PerformanceObserver, constants } = await import('node:perf_hooks');
  let major = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
  });
  observer.observe({ entryTypes: ['gc'] });
  await work();
  await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries arrive on a later turn
  observer.disconnect();
  return major;
}

test("a read that skips the GC leaves dead objects sampled where Node starts V8's sampler without forced GCs (26+); a collecting read runs a full GC", async () => {
  const { default: v8 } = await import('node:v8');
  const canSkip = typeof (v8 as { startHeapProfile?: unknown }).startHeapProfile === 'function';
  const interval = 64 * 1024;
  const sampler = new HeapSampler({ interval, stackDepth: 64, allocations: false });
  sampler.start();
  const droppedSamples = (table: HeapSampleTable) =>
    [...table.stacks.values()].filter((s) => s.frames[0]!.functionName.startsWith('alloc_dropped')).reduce((sum, s) => sum + [...s.samplesBySize].reduce((a, [, count]) => a + count, 0), 0);
  // Arrays of 1.6 MB live in large-object space: only a full GC frees them.
  const dropped = new Function('return function alloc_dropped() { return new Array(200_000).fill(0); }')() as () => unknown[];
  try {
    assert.equal(sampler.readsWithoutGc, canSkip, `Node ${process.version}`);
    // A full GC V8 starts on its own between the drop and the read would hide the dead arrays: try again.
    let skipped: HeapSampleTable | undefined;
    for (let attempt = 0; attempt < 5 && skipped === undefined; attempt++) {
      let table: HeapSampleTable | undefined;
      const gcs = await majorGcsDuring(async () => {
        let garbage: unknown[][] | undefined = Array.from({ length: 10 }, dropped);
        garbage = undefined;
        table = await sampler.read('skip');
        return garbage;
      });
      if (gcs === 0 || !canSkip) skipped = table;
    }
    assert.ok(skipped, 'five attempts, each with a full GC of its own between drop and read');
    let collected: HeapSampleTable | undefined;
    const gcsCollecting = await majorGcsDuring(async () => (collected = await sampler.read('collect')));
    assert.ok(gcsCollecting >= 1, `a collecting read runs a full GC (${gcsCollecting})`);
    assert.equal(droppedSamples(collected!), 0, 'after the GC the dropped arrays are gone from the in-use view');
    if (canSkip) assert.ok(droppedSamples(skipped) > 0, 'the dead arrays, not yet collected, are still sampled: the read ran no GC');
    else assert.equal(droppedSamples(skipped), 0, `the inspector's read collects first on Node ${process.version}`);
  } finally {
    sampler.stop();
  }
});
