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
import { objectsPerSample, unsampledEstimate } from '../../src/source/v8-heap-profile.js';
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

  test('bytes are V8’s (already scaled) sample sizes: the leak’s 13.7 MB in slice, under parseContainerMetricsResponse', () => {
    const space = flat(profile, 'inuse_space');
    const total = [...space.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, v8.samples.reduce((a, x) => a + x.size, 0));
    assert.equal(space.get('slice'), total);
    const fns = new Map(profile.function.map((f) => [Number(f.id), s(f.name)]));
    const locs = new Map(profile.location.map((l) => [Number(l.id), fns.get(Number(l.line[0]!.functionId))!]));
    for (const sample of profile.sample) {
      assert.ok(sample.locationId.map((id) => locs.get(Number(id))).includes('parseContainerMetricsResponse'));
    }
  });
});

describe('sample scaling', () => {
  test('V8 reports s × round(1/p(s)); the object count is recovered from it', () => {
    const interval = 512 * 1024;
    for (const size of [64, 1064, 8256, 96064, 700_000, 4_000_000]) {
      const k = Math.round(1 / -Math.expm1(-size / interval));
      const reported = size * k;
      assert.equal(unsampledEstimate(3, reported, interval).bytes, 3 * reported, 'bytes are taken as reported');
      const objects = objectsPerSample(reported, interval);
      // Several (size, k) pairs can give the same report; the count is right within a factor of two.
      assert.ok(objects >= k / 2 && objects <= k * 2, `size ${size}: k ${k}, estimated ${objects}`);
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
