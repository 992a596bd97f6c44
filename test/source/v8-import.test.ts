// V8's own profile formats (.cpuprofile, .heapprofile) convert to pprof that every report reads.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Profile } from 'pprof-format';
import { TsprofError } from '../../src/errors.js';
import { importV8Profile } from '../../src/source/v8-import.js';
import { HeapSampleTable, heapTableToPprof, unsampledEstimate } from '../../src/source/v8-heap-profile.js';
import { plainFrameNamer } from '../../src/source/v8-frames.js';
import { objectSizeCandidates, resolveNodeObjectSizes, v8ScaledCount } from '../../src/source/v8-heap-sample-size.js';
import { skipUnless } from '../support/required-tool.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'v8');
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const run = promisify(execFile);

function decode(bytes: Uint8Array | null): Profile {
  assert.ok(bytes, 'recognised as a V8 profile');
  return Profile.decode(bytes);
}

function flat(profile: Profile, type: string): Map<string, number> {
  const s = (i: number | bigint) => profile.stringTable.strings[Number(i)]!;
  const index = profile.sampleType.findIndex((t) => s(t.type) === type);
  const fns = new Map(profile.function.map((f) => [Number(f.id), s(f.name)]));
  const locs = new Map(profile.location.map((l) => [Number(l.id), fns.get(Number(l.line[0]!.functionId))!]));
  const out = new Map<string, number>();
  for (const sample of profile.sample) {
    const name = locs.get(Number(sample.locationId[0]))!;
    out.set(name, (out.get(name) ?? 0) + Number(sample.value[index]));
  }
  return out;
}

describe('.cpuprofile', () => {
  const text = read('leaky.cpuprofile');
  const v8 = JSON.parse(text) as { nodes: { id: number; callFrame: { functionName: string }; hitCount: number }[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
  const profile = decode(importV8Profile(text, 'leaky.cpuprofile'));
  const s = (i: number | bigint) => profile.stringTable.strings[Number(i)]!;

  test('sample types, period and duration as a Go CPU profile', () => {
    assert.deepEqual(profile.sampleType.map((t) => `${s(t.type)}/${s(t.unit)}`), ['samples/count', 'cpu/nanoseconds']);
    assert.equal(`${s(profile.periodType!.type)}/${s(profile.periodType!.unit)}`, 'cpu/nanoseconds');
    assert.equal(Number(profile.durationNanos), (v8.endTime - v8.startTime) * 1000);
    assert.ok(Number(profile.period) >= 1_000_000 && Number(profile.period) <= 1_200_000, `period ${profile.period} (node --cpu-prof samples every ~1 ms)`);
  });

  test('every non-idle sample is kept, and the per-function counts are V8’s hit counts', () => {
    const idle = new Set(v8.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    const counts = flat(profile, 'samples');
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, v8.samples.filter((id) => !idle.has(id)).length);
    // The sample list is the truth (a node's hitCount can differ from it by the last sample).
    const hits = (name: string) => {
      const ids = new Set(v8.nodes.filter((n) => n.callFrame.functionName === name).map((n) => n.id));
      return v8.samples.filter((id) => ids.has(id)).length;
    };
    assert.equal(counts.get('fetchKubeletMetrics'), hits('fetchKubeletMetrics'));
    assert.equal(counts.get('parseContainerMetricsResponse'), hits('parseContainerMetricsResponse'));
    assert.equal(counts.get('(idle)'), undefined);
  });

  test('leaf lines from position ticks; anonymous functions are findable', () => {
    const fns = new Map(profile.function.map((f) => [Number(f.id), f]));
    const lines = new Set<string>();
    for (const loc of profile.location) {
      const fn = fns.get(Number(loc.line[0]!.functionId))!;
      lines.add(`${s(fn.name)} ${s(fn.filename)}:${Number(loc.line[0]!.line)}`);
    }
    assert.ok(lines.has('parseContainerMetricsResponse /app/v8/leaky-fetcher.js:28'));
    assert.ok(lines.has('parseContainerMetricsResponse /app/v8/leaky-fetcher.js:29'));
    assert.ok(lines.has('(anonymous) leaky-fetcher.js:1 /app/v8/leaky-fetcher.js:37'));
    const parse = profile.function.find((f) => s(f.name) === 'parseContainerMetricsResponse')!;
    assert.equal(Number(parse.startLine), 22);
  });

  test('go tool pprof reads the converted profile and agrees on the top functions', { skip: skipUnless('go') }, async () => {
    const file = join(fixtures, 'leaky.cpuprofile');
    // Through tsprof's own loader (which calls importV8Profile) and through go tool pprof on our bytes.
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync(join((await import('node:os')).tmpdir(), 'tsprof-v8-'));
    try {
      writeFileSync(join(dir, 'cpu.pb'), importV8Profile(read('leaky.cpuprofile'), 'leaky.cpuprofile')!);
      const go = (await run('go', ['tool', 'pprof', '-top', join(dir, 'cpu.pb')], { env: { ...process.env, HOME: dir } })).stdout;
      const ours = (await run(process.execPath, [join(root, 'bin', 'tsprof.js'), '-top', file])).stdout;
      const rows = (out: string) => out.split('\n').filter((l) => /%\s+\S+\s+\S+%\s+\S/.test(l)).slice(0, 4).map((l) => l.trim().split(/\s+/).slice(5).join(' '));
      assert.deepEqual(rows(ours), rows(go));
      assert.equal(rows(go)[0], 'fetchKubeletMetrics');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('.heapprofile', () => {
  const text = read('leaky.heapprofile');
  const v8 = JSON.parse(text) as { samples: { size: number }[] };
  const profile = decode(importV8Profile(text, 'leaky.heapprofile'));
  const s = (i: number | bigint) => profile.stringTable.strings[Number(i)]!;

  test('inuse_objects and inuse_space, period = the 512 KiB default interval', () => {
    assert.deepEqual(profile.sampleType.map((t) => `${s(t.type)}/${s(t.unit)}`), ['inuse_objects/count', 'inuse_space/bytes']);
    assert.equal(Number(profile.period), 512 * 1024);
    assert.equal(`${s(profile.periodType!.type)}/${s(profile.periodType!.unit)}`, 'space/bytes');
  });

  test('bytes are Go’s unbiased estimate of the objects V8 sampled: the leak’s 13.6 MB in slice, under parseContainerMetricsResponse', () => {
    const space = flat(profile, 'inuse_space');
    const total = [...space.values()].reduce((a, b) => a + b, 0);
    // The fixture's 19 samples report 701808 (12) and 697808 (7) bytes at one node whose selfSize,
    // 13657256, only the ~350 KB reading reproduces: 350904 × round(12/p) + 348904 × round(7/p).
    const interval = 512 * 1024;
    const expected = unsampledEstimate(12, 350904, interval).bytes + unsampledEstimate(7, 348904, interval).bytes;
    assert.ok(Math.abs(total - expected) <= 2, `${total} vs ${expected}`);
    assert.ok(total > v8.samples.reduce((a, x) => a + x.size, 0), 'V8’s per-sample weights (k = 2 for p = 0.49) read low here');
    assert.equal(space.get('slice'), total);
    const fns = new Map(profile.function.map((f) => [Number(f.id), s(f.name)]));
    const locs = new Map(profile.location.map((l) => [Number(l.id), fns.get(Number(l.line[0]!.functionId))!]));
    for (const sample of profile.sample) {
      assert.ok(sample.locationId.map((id) => locs.get(Number(id))).includes('parseContainerMetricsResponse'));
    }
    // As Go, each sample carries the size of one object.
    const sizes = profile.sample.map((x) => Number(x.label.find((l) => s(l.key) === "bytes")!.num)).sort((a, b) => a - b);
    assert.deepEqual(sizes, [348904, 350904]);
  });
});

describe('sample sizes: what V8 reports, and the object behind it', () => {
  const interval = 512 * 1024;
  const sizes = [64, 1064, 8256, 65584, 96064, 350904, 524288, 700_000, 1 << 20, 4_000_000, 8 << 20];
  test('V8 reports s × round(1/p(s)); s is among the candidates for that report', () => {
    for (const size of sizes) {
      const reported = size * v8ScaledCount(size, 1, interval);
      assert.ok(objectSizeCandidates(reported, interval).includes(size), `${size} reported as ${reported}`);
    }
    // The example: a 1 MiB report is one 1 MiB object or one 512 KiB object counted twice.
    assert.deepEqual([...objectSizeCandidates(1 << 20, interval)].sort((a, b) => a - b), [1 << 19, 1 << 20]);
  });

  test('the node’s selfSize decides between them once a node has a few samples', () => {
    for (const size of sizes) {
      for (const count of [7, 41, 300]) {
        const reported = size * v8ScaledCount(size, 1, interval);
        const selfSize = size * v8ScaledCount(size, count, interval);
        const r = resolveNodeObjectSizes([{ reported, count }], selfSize, interval);
        assert.deepEqual([...r.sizes.get(reported)!], [[size, count]], `${count} × ${size}`);
        assert.equal(r.inferred, 0);
      }
    }
  });

  test('two groups at one node, and two object sizes behind one report, are solved from selfSize', () => {
    const k = (s: number) => v8ScaledCount(s, 1, interval);
    // 40 samples of 1 MiB objects and 30 of 512 KiB objects: both report 1 MiB.
    const selfSize = (1 << 20) * v8ScaledCount(1 << 20, 40, interval) + (1 << 19) * v8ScaledCount(1 << 19, 30, interval);
    const mixed = resolveNodeObjectSizes([{ reported: 1 << 20, count: 70 }], selfSize, interval);
    const found = mixed.sizes.get(1 << 20)!;
    assert.deepEqual([...found.keys()].sort((a, b) => a - b), [1 << 19, 1 << 20]);
    const reproduced = [...found].reduce((sum, [size, n]) => sum + size * v8ScaledCount(size, n, interval), 0);
    assert.equal(reproduced, selfSize, 'the split found reproduces V8’s selfSize');
    // 38/32 fits as well as 40/30: the split is flagged, and its estimate is within 2% of the truth's.
    assert.equal(mixed.inferred, 70);
    const estimate = [...found].reduce((sum, [size, n]) => sum + unsampledEstimate(n, size, interval).bytes, 0);
    const truth = unsampledEstimate(40, 1 << 20, interval).bytes + unsampledEstimate(30, 1 << 19, interval).bytes;
    assert.ok(Math.abs(estimate / truth - 1) < 0.02, `${estimate} vs ${truth}`);
    // 65584-byte and 350904-byte objects at one node: both reports have several candidates.
    const groups = [
      { reported: 65584 * k(65584), count: 96 },
      { reported: 350904 * k(350904), count: 12 },
    ];
    const self = 65584 * v8ScaledCount(65584, 96, interval) + 350904 * v8ScaledCount(350904, 12, interval);
    const both = resolveNodeObjectSizes(groups, self, interval);
    assert.deepEqual([...both.sizes.get(groups[0]!.reported)!], [[65584, 96]]);
    assert.deepEqual([...both.sizes.get(groups[1]!.reported)!], [[350904, 12]]);
  });

  test('a lone sample (or two) takes the size its report resolved to elsewhere, and is counted as inferred', () => {
    // Two samples of 8256-byte objects: five sizes predict the same selfSize.
    const pair = resolveNodeObjectSizes([{ reported: 528384, count: 2 }], 1056768, interval);
    assert.equal(pair.inferred, 2);
    const reported = 1 << 20;
    const alone = resolveNodeObjectSizes([{ reported, count: 1 }], reported, interval);
    assert.equal(alone.inferred, 1);
    const told = resolveNodeObjectSizes([{ reported, count: 1 }], reported, interval, new Map([[reported, 1 << 19]]));
    assert.deepEqual([...told.sizes.get(reported)!], [[1 << 19, 1]]);
  });

  test('a heap profile counts, in a comment, the samples whose bytes the report leaves open', () => {
    const frame = (functionName: string) => ({ functionName, url: 'file:///app.js', lineNumber: 1, columnNumber: 0 });
    const node = (id: number, name: string, selfSize: number) => ({ id, callFrame: frame(name), selfSize, children: [] });
    const v8Profile = {
      head: { id: 1, callFrame: frame('(root)'), selfSize: 0, children: [node(2, 'lone', 1 << 20), node(3, 'many', 47 << 20)] },
      // lone: one 1 MiB report (a 1 MiB object, or 512 KiB counted twice: 1.16 vs 0.81 MiB);
      // many: 41 such reports and a selfSize of 47 MiB = 1 MiB × round(41 × 1.156): 1 MiB objects.
      samples: [{ size: 1 << 20, nodeId: 2, ordinal: 1 }, ...Array.from({ length: 41 }, (_, i) => ({ size: 1 << 20, nodeId: 3, ordinal: 2 + i }))],
    };
    const table = HeapSampleTable.fromV8(v8Profile, interval);
    assert.equal(table.inferredSamples, 1);
    // The lone sample takes the size its report resolved to at the other node.
    const lone = [...table.stacks.values()].find((st) => st.frames[0]!.functionName === 'lone')!;
    assert.deepEqual([...lone.samplesBySize], [[1 << 20, 1]]);
    const encoded = Profile.decode(heapTableToPprof(table, { kind: 'inuse', interval, namer: plainFrameNamer }).encode());
    const comments = encoded.comment.map((i) => encoded.stringTable.strings[Number(i)]!);
    assert.deepEqual(comments.filter((c) => /^1 heap samples could be objects of sizes whose estimates differ by more than 2%/.test(c)).length, 1);
  });

  test('Go’s weight s/(1 − e^(−s/I)) is unbiased for every size (simulated Poisson sampling)', () => {
    // Sample points every Exp(I) bytes over a stream of equal objects, as V8 draws them; an object
    // holding a point is recorded once. 20,000 intervals' worth of objects per size (sd ≤ 0.7%).
    let seed = 12345; // mulberry32: fixed seed, so the run is the same every time
    const uniform = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 2 ** 32;
    };
    for (const size of [64 * 1024, 512 * 1024, 1 << 20, 8 << 20]) {
      const objects = Math.round((20_000 * interval) / size) + 2000;
      let recorded = 0;
      let untilSample = -Math.log(uniform()) * interval;
      for (let i = 0; i < objects; i++) {
        if (untilSample < size) {
          recorded++;
          untilSample = -Math.log(uniform()) * interval; // the rest of a sampled object is skipped
        } else {
          untilSample -= size;
        }
      }
      const estimate = unsampledEstimate(recorded, size, interval).bytes;
      assert.ok(Math.abs(estimate / (objects * size) - 1) < 0.03, `${size}: ${(estimate / (objects * size)).toFixed(3)}`);
    }
  });
});

describe('input that is not V8’s, or broken V8', () => {
  test('foreign input is not claimed', () => {
    for (const text of ['', 'not json', '[1,2,3]', '{"a":1}', '{"nodes": 3}', '\x1f\x8b\x08\x00binary', '{"head": {}}']) {
      assert.equal(importV8Profile(text, 'x'), null, JSON.stringify(text));
    }
  });

  const broken: [string, string, RegExp][] = [
    ['truncated CPU profile', read('leaky.cpuprofile').slice(0, 2000), /^cpu\.json: broken V8 CPU profile: /],
    ['truncated heap profile', read('leaky.heapprofile').slice(0, 1500), /^heap\.json: broken V8 heap profile: /],
    ['unknown sample node', '{"nodes":[{"id":1,"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1}}],"startTime":0,"endTime":1,"samples":[7],"timeDeltas":[1]}', /sample refers to unknown node 7/],
    ['unknown child', '{"nodes":[{"id":1,"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1},"children":[2]}],"startTime":0,"endTime":1}', /node 1 has unknown child 2/],
    ['deltas do not match', '{"nodes":[{"id":1,"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1}}],"startTime":0,"endTime":1,"samples":[1],"timeDeltas":[]}', /timeDeltas/],
    ['heap sample of unknown node', '{"head":{"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1},"selfSize":0,"id":1,"children":[]},"samples":[{"size":8,"nodeId":9,"ordinal":1}]}', /sample refers to unknown node 9/],
    ['heap node without children', '{"head":{"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1},"selfSize":0,"id":1}}', /every node needs id, selfSize and children/],
  ];
  for (const [what, text, message] of broken) {
    test(`${what} → one clear TsprofError`, () => {
      const name = what.includes('heap') ? 'heap.json' : 'cpu.json';
      assert.throws(() => importV8Profile(text, name), (err: unknown) => {
        assert.ok(err instanceof TsprofError);
        assert.match(err.message, message);
        assert.ok(err.message.startsWith(name), err.message);
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    });
  }
});
