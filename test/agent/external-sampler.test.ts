// Sampling the Buffers an app allocates (memory outside the V8 heap) with their stacks.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Profile } from 'pprof-format';
import { ExternalSampler } from '../../src/agent/external-sampler.js';
import { startAgent } from '../../src/agent/index.js';
import { stringFingerprint } from '../../src/profile/string-fingerprint.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const collect = async () => {
  gc();
  gc();
  // Finalizers run on a later turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 10));
};

const kept: Buffer[] = [];
function allocateFrames(count: number, size: number): void {
  for (let i = 0; i < count; i++) kept.push(Buffer.allocUnsafeSlow(size));
}
const keptStrings: string[] = [];
/** decodeResponses decodes large responses as the story's service does, keeping the strings. */
function decodeResponses(bytes: Buffer, count: number, encoding: BufferEncoding): void {
  for (let i = 0; i < count; i++) keptStrings.push(bytes.toString(encoding));
}
function concatResponses(count: number): void {
  for (let i = 0; i < count; i++) kept.push(Buffer.concat([Buffer.alloc(32 * 1024, 1), Buffer.alloc(32 * 1024, 2)]));
}

/** liveBytes sums the sampler's estimate for stacks through a function, with Go's weights. */
function liveBytes(sampler: ExternalSampler, functionName: string): number {
  let bytes = 0;
  for (const stack of sampler.stacks.values()) {
    if (!stack.frames.some((f) => f.functionName === functionName)) continue;
    for (const [size, count] of stack.samplesBySize) bytes += (count * size) / (1 - Math.exp(-size / sampler.interval));
  }
  return bytes;
}

describe('ExternalSampler', () => {
  after(() => {
    kept.length = 0;
  });

  test('names the function that allocated live Buffers, the factory it called, and puts Buffer back when stopped', async () => {
    const original = Buffer.allocUnsafeSlow;
    const sampler = new ExternalSampler(64 * 1024);
    sampler.start();
    assert.notEqual(Buffer.allocUnsafeSlow, original);
    try {
      allocateFrames(400, 64 * 1024);
      concatResponses(200);
      const frames = [...sampler.stacks.values()].find((s) => s.frames[0]?.functionName === 'allocateFrames');
      assert.ok(frames, 'a stack with allocateFrames at its top');
      assert.equal(frames.via, 'Buffer.allocUnsafeSlow');
      assert.match(frames.frames[0]!.url, /external-sampler\.test\.js$/);
      assert.ok(frames.frames[0]!.line > 0);
      const concat = [...sampler.stacks.values()].find((s) => s.frames[0]?.functionName === 'concatResponses' && s.via === 'Buffer.concat');
      assert.ok(concat, 'Buffer.concat under concatResponses (its Buffer.alloc parts are pooled-size copies, gone at once)');
      // 400 × 64 KiB = 25 MiB live, estimated from ~250 samples: within 15% (about 4 standard deviations).
      const estimate = liveBytes(sampler, 'allocateFrames');
      assert.ok(Math.abs(estimate / (400 * 64 * 1024) - 1) < 0.15, `estimated ${estimate}`);
      // Let them go: the samples leave with their ArrayBuffers.
      kept.length = 0;
      await collect();
      assert.ok(liveBytes(sampler, 'allocateFrames') < 0.05 * 400 * 64 * 1024, `left ${liveBytes(sampler, 'allocateFrames')}`);
    } finally {
      sampler.stop();
    }
    assert.equal(Buffer.allocUnsafeSlow, original);
  });

  test('external strings from Buffer#toString: sampled as allocations with their fingerprint where Node makes them external', () => {
    const originalToString = Buffer.prototype.toString;
    const sampler = new ExternalSampler(64 * 1024); // a 1 MB string is sampled with probability 1 − e^(−16)
    sampler.start();
    assert.notEqual(Buffer.prototype.toString, originalToString);
    const major = Number(process.versions.node.split('.')[0]);
    const ascii = Buffer.alloc(0xfbee9 + 1000, 'metric_total{id="/kubepods/x"} 1\n');
    const counted = () =>
      [...sampler.strings.values()].filter((s) => s.frames[0]?.functionName === 'decodeResponses').flatMap((s) => [...s.samples.values()]).reduce((n, x) => n + x.count, 0);
    try {
      // latin1 of more than EXTERN_APEX bytes is external on every Node.
      decodeResponses(ascii, 12, 'latin1');
      const stack = [...sampler.strings.values()].find((s) => s.frames[0]?.functionName === 'decodeResponses');
      assert.ok(stack, 'a string stack with decodeResponses at its top');
      assert.equal(stack.via, 'Buffer#toString');
      assert.match(stack.frames[0]!.url, /external-sampler\.test\.js$/);
      const [sample] = [...stack.samples.values()];
      assert.deepEqual(sample, { size: ascii.length, fingerprint: stringFingerprint(keptStrings[0]!), count: 12 });
      assert.equal(counted(), 12);
      // UTF-8 of ASCII is external from Node 24 on; before, V8 copies it into its heap (the heap profile sees it).
      decodeResponses(ascii, 5, 'utf8');
      assert.equal(counted(), major >= 24 ? 17 : 12, `Node ${process.version}`);
      // UTF-8 that is not ASCII is a heap string everywhere, and small results are never external.
      decodeResponses(Buffer.alloc(0xfbee9 + 1000, 'é'), 3, 'utf8');
      decodeResponses(Buffer.alloc(4096, 'a'), 50, 'latin1');
      assert.equal(counted(), major >= 24 ? 17 : 12);
      // Strings never count as in use (their life cannot be followed), and Buffers' samples stay as allocations.
      assert.equal(sampler.stacks.size, [...sampler.stacks.values()].filter((s) => s.allocatedBySize.size > 0).length);
    } finally {
      sampler.stop();
      keptStrings.length = 0;
    }
    assert.equal(Buffer.prototype.toString, originalToString);
  });

  test('views of memory allocated before, and small pooled Buffers, are not allocations of their own', () => {
    const sampler = new ExternalSampler(1);
    sampler.start();
    try {
      const store = new ArrayBuffer(1 << 20);
      Buffer.from(store);
      Buffer.allocUnsafe(100);
      assert.equal(sampler.stacks.size, 0);
      Buffer.allocUnsafe(1 << 20);
      assert.equal(sampler.stacks.size, 1, 'a large allocUnsafe has its own store: sampled at interval 1');
    } finally {
      sampler.stop();
    }
  });
});

describe('/debug/pprof/external', () => {
  test('serves the sampled Buffers alive as a heap profile when enabled, and 404 with the reason when not', async () => {
    const off = await startAgent({ address: '127.0.0.1:0', log: () => {} });
    try {
      const res = await fetch(`${off.url}/debug/pprof/external`);
      assert.equal(res.status, 404);
      assert.match(await res.text(), /external allocation sampling is off; enable it with externalSites: true or TSPROF_EXTERNAL_SITES=1/);
    } finally {
      await off.stop();
    }
    const agent = await startAgent({ address: '127.0.0.1:0', externalSites: true, log: () => {} });
    try {
      allocateFrames(200, 256 * 1024);
      const res = await fetch(`${agent.url}/debug/pprof/external?gc=1`);
      assert.equal(res.status, 200);
      const { gunzipSync } = await import('node:zlib');
      const profile = Profile.decode(gunzipSync(new Uint8Array(await res.arrayBuffer())));
      const strings = profile.stringTable.strings;
      assert.deepEqual(profile.sampleType.map((t) => strings[Number(t.type)]), ['inuse_objects', 'inuse_space', 'alloc_objects', 'alloc_space']);
      assert.equal(strings[Number(profile.defaultSampleType)], 'inuse_space');
      const names = new Set(profile.function.map((f) => strings[Number(f.name)]));
      assert.ok(names.has('allocateFrames') && names.has('Buffer.allocUnsafeSlow'), [...names].join(', '));
      const total = profile.sample.reduce((sum, s) => sum + Number(s.value[1]), 0);
      assert.ok(total > 0.7 * 200 * 256 * 1024, `in use ${total}`);
      // Strings Buffer#toString made external: allocations, with their fingerprint, never in use.
      const text = Buffer.alloc(0xfbee9 + 1000, 'x').toString('latin1');
      keptStrings.push(text);
      const again = Profile.decode(gunzipSync(new Uint8Array(await (await fetch(`${agent.url}/debug/pprof/external`)).arrayBuffer())));
      const toStringFn = again.function.findIndex((f) => again.stringTable.strings[Number(f.name)] === 'Buffer#toString');
      assert.ok(toStringFn >= 0, 'Buffer#toString is a leaf');
      const stringSamples = again.sample.filter((s) => again.location.find((l) => l.id === s.locationId[0])?.line[0]?.functionId === again.function[toStringFn]!.id);
      assert.ok(stringSamples.length > 0);
      for (const sample of stringSamples) {
        assert.deepEqual(sample.value.slice(0, 2).map(Number), [0, 0]);
        assert.ok(Number(sample.value[3]) >= text.length);
        const labels = new Map(sample.label.map((l) => [again.stringTable.strings[Number(l.key)], again.stringTable.strings[Number(l.str)]]));
        assert.equal(labels.get('fingerprint'), stringFingerprint(text));
      }
    } finally {
      await agent.stop();
      kept.length = 0;
      keptStrings.length = 0;
    }
    assert.equal(Buffer.allocUnsafeSlow.name, 'allocUnsafeSlow');
    assert.equal(Buffer.prototype.toString.name, 'toString');
  });
});
