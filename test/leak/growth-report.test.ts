import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeProfile } from '../../src/profile/decode.js';
import { heapObservationFromProfile } from '../../src/leak/profile-observation.js';
import { analyzeGrowth, defaultGrowthOptions } from '../../src/leak/growth-report.js';
import { formatGrowthReport } from '../../src/leak/format-growth.js';
import type { Frame, HeapObservation } from '../../src/leak/heap-observation.js';
import { StackInterner } from '../../src/leak/stack-interner.js';
import { gaussian, seededRandom } from './random.js';

const fixtures = new URL('../../../test/fixtures/go/', import.meta.url);
const MB = 1 << 20;

function goObservation(name: string): HeapObservation {
  const path = new URL(name, fixtures);
  return heapObservationFromProfile(decodeProfile(readFileSync(path), name), name);
}

test('Go fixtures heap_t1 → heap_t2: parseContainerMetricsResponse is the site that grew', () => {
  const report = analyzeGrowth([goObservation('heap_t1.pb.gz'), goObservation('heap_t2.pb.gz')]);
  // Two profiles are too few for a verdict, but the series and slopes are exact.
  assert.equal(report.growing.length, 0);
  const byName = new Map(report.others.map((s) => [s.site.functionName, s]));
  const parse = byName.get('main.parseContainerMetricsResponse')!;
  assert.ok(parse, 'site found');
  // go tool pprof -top: 14051.96kB at t1, 49270.40kB at t2.
  assert.equal(Math.round(parse.bytes[0]! / 10.24) / 100, 14051.96);
  assert.equal(Math.round(parse.bytes[1]! / 10.24) / 100, 49270.40);
  assert.equal(parse.site.file, 'goexp/main.go');
  assert.deepEqual(parse.callers.map((f) => f.functionName), ['main.main', 'runtime.main']);
  // The totals are go tool pprof's 15076.20kB and 50294.64kB.
  assert.equal(Math.round(report.total.bytes[0]! / 10.24) / 100, 15076.2);
  assert.equal(Math.round(report.total.bytes[1]! / 10.24) / 100, 50294.64);
  const spanMin = (report.times[1]! - report.times[0]!) / 60_000;
  assert.ok(Math.abs(parse.trend.slopePerMinute - (parse.bytes[1]! - parse.bytes[0]!) / spanMin) < 1e-3 * parse.trend.slopePerMinute);
  for (const other of report.others) {
    if (other !== parse) assert.equal(other.trend.slopePerMinute, 0, other.site.functionName);
  }
  const text = formatGrowthReport(report);
  assert.match(text, /Largest changes \(too few profiles for a verdict\):\n.*\+34\.39MB since first  main\.parseContainerMetricsResponse goexp\/main\.go:\d+/);
  assert.match(text, /Verdict: too few heap profiles \(2\)/);
});

const leaf = (functionName: string, file: string, line: number): Frame => ({ functionName, file, line });
const toString = leaf('toString', 'node:buffer', 830);
const parse140 = leaf('parseContainerMetricsResponse', 'fetcher.js', 140);
const parse142 = leaf('parseContainerMetricsResponse', 'fetcher.js', 142);
const scrape = leaf('scrape', 'fetcher.js', 80);
const cache = leaf('remember', 'resolver.js', 12);

/** A leak through node:buffer's toString at line 142, a flat cache, and a flat line 140. */
function syntheticObservations(): HeapObservation[] {
  return Array.from({ length: 10 }, (_, i) => ({
    timeMs: 1_000_000 + i * 5000,
    samples: [
      { stack: [toString, parse142, scrape], bytes: 4 * MB + i * 1 * MB, objects: 4 + i },
      { stack: [parse140, scrape], bytes: 2 * MB, objects: 2048 },
      { stack: [cache, scrape], bytes: 3 * MB, objects: 30 },
    ],
  }));
}

test('sites skip Node internals, group by function, and carry the caller chain', () => {
  const report = analyzeGrowth(syntheticObservations());
  assert.equal(report.growing.length, 1);
  const site = report.growing[0]!;
  assert.equal(site.site.functionName, 'parseContainerMetricsResponse');
  assert.equal(site.site.line, 142, 'the line of the heaviest stack');
  assert.deepEqual(site.below, [toString]);
  assert.deepEqual(site.callers, [scrape]);
  // Function granularity sums lines 140 and 142: 6 MB + 1 MB per 5 s = 12 MB/min.
  assert.equal(site.bytes[0], 6 * MB);
  assert.ok(Math.abs(site.trend.slopePerMinute - 12 * MB) < 1);
  assert.equal(site.verdict.confidence, 'high');
  // 9 MB gained over 9 objects: the site makes 1 MB objects.
  assert.equal(site.objectBytes, 1 * MB);
  assert.deepEqual(report.others.map((s) => [s.site.functionName, s.verdict.kind]), [['remember', 'flat']]);
  assert.equal(report.total.verdict.kind, 'growing');
  const text = formatGrowthReport(report);
  assert.match(text, /Growing allocation sites \(1\):\n  parseContainerMetricsResponse fetcher\.js:142\n      grows 12\.00MB\/min, high confidence/);
  assert.match(text, /allocated by toString node:buffer:830/);
  assert.match(text, /called from scrape fetcher\.js:80/);
  assert.match(text, /Verdict: in-use memory allocated in parseContainerMetricsResponse grows 12\.00MB\/min \(high confidence\)\./);
});

test('line granularity splits a function into its lines', () => {
  const options = defaultGrowthOptions();
  options.sites.granularity = 'lines';
  const report = analyzeGrowth(syntheticObservations(), options);
  assert.deepEqual(report.growing.map((s) => `${s.site.functionName}:${s.site.line}`), ['parseContainerMetricsResponse:142']);
  assert.ok(report.others.some((s) => s.site.line === 140 && s.verdict.kind === 'flat'));
});

test('a site that disappears counts as zero, and nothing growing gives the flat conclusion', () => {
  const obs = syntheticObservations().map((o, i) => ({ ...o, samples: i % 2 === 0 ? o.samples.slice(1) : o.samples.slice(1, 2) }));
  const report = analyzeGrowth(obs);
  assert.equal(report.growing.length, 0);
  const cacheSite = report.others.find((s) => s.site.functionName === 'remember')!;
  assert.deepEqual(cacheSite.bytes.slice(0, 4), [3 * MB, 0, 3 * MB, 0]);
  assert.equal(cacheSite.verdict.kind, 'noisy');
  assert.match(formatGrowthReport(report), /Verdict: no allocation site grows steadily; total in use is/);
});

test('growth within a few sampling periods is the sampler, not a leak', () => {
  const site = leaf('warmUp', 'app.js', 3);
  const observations = (period: number): HeapObservation[] =>
    Array.from({ length: 10 }, (_, i) => ({
      timeMs: i * 300,
      samplingPeriodBytes: period,
      // Three sampled steps of 512 kB each over the watch: 1.5 MB in all.
      samples: [{ stack: [site], bytes: 512 * 1024 * Math.floor(i / 3), objects: Math.floor(i / 3) }],
    }));
  const sampled = analyzeGrowth(observations(512 * 1024));
  assert.equal(sampled.minGrowthBytes, 2 * MB);
  assert.equal(sampled.growing.length, 0);
  assert.match(sampled.others[0]!.verdict.reason, /less than the 2 MB threshold/);
  // The same series from an exact (unsampled) source is judged on the 1 MB option alone.
  const exact = analyzeGrowth(observations(0));
  assert.equal(exact.minGrowthBytes, 1 * MB);
  assert.equal(exact.growing.length, 1);
});

test('observations of one series share frames and stacks, and merge samples of one stack', () => {
  const interner = new StackInterner();
  const bytes = readFileSync(new URL('heap_t2.pb.gz', fixtures));
  const a = heapObservationFromProfile(decodeProfile(bytes, 't2'), 't2', { interner });
  const b = heapObservationFromProfile(decodeProfile(bytes, 't2'), 't2', { interner });
  assert.equal(a.samples.length, b.samples.length);
  for (let i = 0; i < a.samples.length; i++) assert.equal(a.samples[i]!.stack, b.samples[i]!.stack, 'the same array');
  const stacks = new Set(a.samples.map((s) => s.stack));
  assert.equal(stacks.size, a.samples.length, 'one sample per distinct stack');
  // Merging keeps the totals: go tool pprof's 50294.64kB.
  assert.equal(Math.round(a.samples.reduce((s, x) => s + x.bytes, 0) / 10.24) / 100, 50294.64);
  assert.equal(a.samplingPeriodBytes, 512 * 1024);
});

test('time to the limits: the heap limit at the heap growth, the container limit at heap plus external growth', () => {
  const MB = 2 ** 20;
  const site: Frame = { functionName: 'cacheResponse', file: 'src/cache.ts', line: 12 };
  // 12 MB a minute on the heap (1 MB per 5 s) and 6 MB a minute outside it, over 60 s.
  const observations: HeapObservation[] = Array.from({ length: 13 }, (_, i) => ({
    timeMs: i * 5000,
    samples: [{ stack: [site], bytes: (10 + i) * MB, objects: (10 + i) * 100 }],
    samplingPeriodBytes: 512 * 1024,
    memory: { heapUsed: (40 + i) * MB, external: (5 + i / 2) * MB, arrayBuffers: 0, rss: (200 + 1.5 * i) * MB, heapLimit: 4096 * MB, memoryLimit: 1024 * MB },
  }));
  const report = analyzeGrowth(observations);
  const heap = report.limits?.heap;
  const memory = report.limits?.memory;
  assert.ok(heap && memory, JSON.stringify(report.limits));
  assert.ok(Math.abs(heap.growthPerMinute - 12 * MB) < 0.01 * MB, `heap growth ${heap.growthPerMinute}`);
  assert.ok(Math.abs(heap.minutes - (4096 - 52) / 12) < 0.1, `heap minutes ${heap.minutes}`);
  assert.ok(Math.abs(memory.growthPerMinute - 18 * MB) < 0.01 * MB, `memory growth ${memory.growthPerMinute}`);
  assert.ok(Math.abs(memory.minutes - (1024 - 218) / 18) < 0.1, `memory minutes ${memory.minutes}`);
  const text = formatGrowthReport(report);
  assert.match(text, /\nAt this rate the V8 heap \(52\.00MB of its 4\.00GB limit\) is full in about 5h37m; the container's memory \(218\.00MB resident of its 1\.00GB limit\) in about 45m\.\nVerdict: /);
  // Nothing grows: no time to a limit.
  const flat = analyzeGrowth(observations.map((o) => ({ ...o, samples: [{ ...o.samples[0]!, bytes: 10 * MB }], memory: { ...o.memory!, external: 5 * MB } })));
  assert.equal(flat.limits, undefined);
});

test("the agent's own allocations (the files its tsprof.self line names) are left out of the app's observation", async () => {
  const { formatAgentSelf } = await import('../../src/profile/agent-self.js');
  const { V8HeapTree } = await import('../support/v8-heap-tree.js');
  const tree = new V8HeapTree();
  const top = [tree.node('cacheResponse', '/srv/app/src/cache.js', 4), tree.node('loadMap', '/srv/app/node_modules/tsprof/dist/src/agent/source-maps.js', 2)];
  const profileWith = (comments: string[]) => decodeProfile(tree.encode(top, comments), 'built');
  const sites = (comments: string[]) => heapObservationFromProfile(profileWith(comments), 'built').samples.map((s) => s.stack[0]!.functionName).sort();
  assert.deepEqual(sites([]), ['cacheResponse', 'loadMap']);
  assert.deepEqual(sites([formatAgentSelf(['/srv/app/node_modules/tsprof/dist/src/agent/'])]), ['cacheResponse']);
});

/**
 * A seeded simulation of V8's sampling heap profiler over a 60 s watch (a
 * profile every 5 s, after a GC): each object of size s is sampled with
 * probability p = 1 − e^(−s/I) and weighs s/p, so a set of objects reads as
 * (sampled count) × s/p, and a bounded set whose members are replaced is
 * re-drawn at every profile.
 */
export function simulateWatch(seed: number, kind: 'ring' | 'leak', leakPerSecond = 7): HeapObservation[] {
  const random = seededRandom(seed);
  const interval = 512 * 1024;
  const size = 48 * 1024;
  const p = 1 - Math.exp(-size / interval);
  const site = leaf(kind === 'ring' ? 'captureRequest' : 'remember', 'app.js', 40);
  // ring: 150 slots, 40% full when the watch starts and full 20 s in, 20 writes a second once full.
  // leak: each second leakPerSecond entries are kept for good, and 20 short-lived ones churn.
  const slots: boolean[] = [];
  const kept: boolean[] = [];
  const observations: HeapObservation[] = [];
  for (let i = 0; i < 60; i++) slots.push(random() < p);
  for (let second = 0; second <= 60; second++) {
    if (kind === 'ring') {
      const fill = Math.min(150 - slots.length, 5);
      for (let i = 0; i < fill; i++) slots.push(random() < p);
      if (slots.length === 150) for (let i = 0; i < 20; i++) slots[Math.floor(random() * 150)] = random() < p;
    } else {
      for (let i = 0; i < leakPerSecond; i++) kept.push(random() < p);
    }
    if (second % 5 !== 0) continue;
    const entries = kind === 'ring' ? slots : kept;
    const sampled = entries.filter(Boolean).length;
    const live = entries.length * size;
    observations.push({
      timeMs: second * 1000,
      samplingPeriodBytes: interval,
      samples: [{ stack: [site], bytes: (sampled * size) / p, objects: sampled }],
      // The exact live heap: the app's base, these entries, and a GC's leftovers.
      memory: { heapUsed: 30 * MB + live + 150 * 1024 * gaussian(random), external: 2 * MB, arrayBuffers: 0, rss: 120 * MB + live },
    });
  }
  return observations;
}

test('a ring buffer filling in the first half of the watch is not a leak, though its sampled estimate wanders (500 seeds)', () => {
  const withHeap = { ...defaultGrowthOptions(), liveHeapAfterGc: true };
  let alarmsSampledOnly = 0;
  let alarms = 0;
  const seeds = 500;
  for (let seed = 1; seed <= seeds; seed++) {
    const observations = simulateWatch(seed, 'ring');
    const alarm = (r: ReturnType<typeof analyzeGrowth>) => r.growing.length > 0 || r.total.verdict.kind === 'growing';
    if (alarm(analyzeGrowth(observations))) alarmsSampledOnly++;
    const report = analyzeGrowth(observations, withHeap);
    if (alarm(report)) alarms++;
    // The live heap itself may creep on its plateau (a low-confidence 'growing'); what it does not do is keep the estimate's pace.
    assert.ok(report.liveHeap!.trend.lateGrowthBytes < 1 * MB, `seed ${seed}: the live heap rose ${report.liveHeap!.trend.lateGrowthBytes} B in the second half`);
  }
  // The sampled estimate alone calls a few percent of these fills a leak (the corpus's false alarm).
  assert.ok(alarmsSampledOnly >= 5, `the simulation reproduces the false alarm: ${alarmsSampledOnly}/${seeds}`);
  assert.equal(alarms, 0, `false alarms with the live heap: ${alarms}/${seeds} (${alarmsSampledOnly} without)`);
});

test('leaks are still found when the live heap is checked: every steady leak, and slow ones as often as before (500 seeds)', () => {
  const withHeap = { ...defaultGrowthOptions(), liveHeapAfterGc: true };
  const seeds = 500;
  let fast = 0;
  let slowBefore = 0;
  let slowAfter = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const report = analyzeGrowth(simulateWatch(seed, 'leak'), withHeap);
    if (report.growing.some((s) => s.site.functionName === 'remember')) fast++;
    assert.equal(report.liveHeap?.verdict.kind, 'growing');
    // One 48 kB entry a second: 2.8 MB/min, a handful of samples over the watch.
    const slow = simulateWatch(seed, 'leak', 1);
    if (analyzeGrowth(slow).growing.length > 0) slowBefore++;
    if (analyzeGrowth(slow, withHeap).growing.length > 0) slowAfter++;
  }
  assert.equal(fast, seeds, `a 20 MB/min leak is found in ${fast}/${seeds}`);
  assert.equal(slowAfter, slowBefore, 'the cross-check never hides a leak the live heap shows');
  assert.ok(slowAfter >= 0.5 * seeds, `a 2.8 MB/min leak is found in ${slowAfter}/${seeds}`);
});

test('a growing anonymous callback is named with the app function that called it', async () => {
  const { conclusion } = await import('../../src/leak/format-growth.js');
  const repeat = leaf('repeat', '', 0);
  const callback = leaf('(anonymous) job-runner.js:19', 'job-runner.js', 19);
  const from = leaf('from', '', 0);
  const build = leaf('buildJobRecord', 'job-runner.js', 17);
  const observations = Array.from({ length: 10 }, (_, i) => ({
    timeMs: 1_000_000 + i * 5000,
    samples: [{ stack: [repeat, callback, from, build, scrape], bytes: 4 * MB + i * MB, objects: 4 + i }],
  }));
  const verdict = conclusion(analyzeGrowth(observations));
  assert.match(verdict, /^Verdict: in-use memory allocated in \(anonymous\) job-runner\.js:19 \(called from buildJobRecord\) via repeat grows /);
  // A named site stays as it is.
  assert.match(conclusion(analyzeGrowth(syntheticObservations())), /allocated in parseContainerMetricsResponse via toString grows|allocated in parseContainerMetricsResponse grows/);
});
