// The event-loop pause at each profile boundary in continuous mode, on heaps of 100 MB and 500 MB:
// tsprof's pusher (ContinuousCpuProfiler: the next V8 profile starts in a second inspector session
// before the finished one stops, so V8 never walks the heap again) vs @datadog/pprof's
// time.stop(restart = true) + encode, which @pyroscope/nodejs calls at each of its boundaries.
//
//   npx tsc -p . && node dist/bench/fleet-boundary.js [--reps 2] [--boundaries 5] [--heaps 100,500]
//
// Each measurement runs in a child process of its own that keeps a heap of the given size alive and
// a light timer-driven workload running, then crosses `boundaries` one-second CPU profile boundaries,
// then reads the heap profile once a second as often, while a 1 ms timer records the longest gap
// between its ticks in each second. It also reports the one-time first start (the heap walk both
// pay once), and for tsprof the boundary's parts: rotate() (bridge, stop and serialize the finished
// profile, start the next), the conversion to pprof and the encoding (each its own turn, as in the pusher).
import { spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { requireAnchor, type DatadogPprof } from './anchors.js';
import { parseBenchFlags } from './support/bench-flags.js';
import { median, roundOrder } from './support/stats.js';

type Tool = 'tsprof' | 'datadog' | 'none';

const gzipAsync = promisify(gzip);

const flags = parseBenchFlags('fleet-boundary', {
  reps: { kind: 'int', default: 2, help: 'repetitions; each runs both tools once per heap size, in alternating order' },
  boundaries: { kind: 'int', default: 5, help: 'one-second profile boundaries crossed per child' },
  heaps: { kind: 'string', default: '100,500', help: 'heap sizes in MB, comma-separated' },
  child: { kind: 'string', default: '', help: '(internal) measure this tool in this process: tsprof or datadog' },
  'heap-mb': { kind: 'int', default: 100, help: '(internal) heap the child keeps' },
}).values;

/** ChildResult is what one child measured, in ms. */
interface ChildResult {
  heapMb: number;
  firstStartMs: number;
  /** Longest event-loop gap in each one-second window that holds a CPU profile boundary. */
  cpuPauses: number[];
  /** The same for a heap profile read each second. */
  heapPauses: number[];
  parts?: { rotate: number[]; convert: number[]; encode: number[] };
  /** For @datadog/pprof: the synchronous time.stop(true) at each boundary. */
  stops?: number[];
}

/** keepHeap allocates small objects until V8's used heap reaches mb. */
function keepHeap(mb: number): unknown[] {
  const kept: unknown[] = [];
  while (process.memoryUsage().heapUsed < mb * 1e6) {
    for (let i = 0; i < 100_000; i++) kept.push({ id: kept.length, name: `item-${kept.length}`, tags: [kept.length] });
  }
  return kept;
}

/** startWorkload runs a little work every 5 ms, so the profiles hold stacks as a service's would. */
function startWorkload(): NodeJS.Timeout {
  const handle = (n: number) => JSON.stringify({ n, items: Array.from({ length: 20 }, (_, i) => ({ i, v: Math.sqrt(i * n) })) }).length;
  let n = 0;
  return setInterval(() => {
    for (let i = 0; i < 50; i++) n += handle(i) % 7;
  }, 5);
}

/** watchGaps records the longest gap between 1 ms ticks in each window of windowMs. */
function watchGaps(windowMs: number): { stop(): number[] } {
  const windows: number[] = [];
  let last = performance.now();
  let windowStart = last;
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (now - windowStart >= windowMs) {
      windows.push(longest);
      longest = 0;
      windowStart = now;
    }
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return windows;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nextTurn = () => new Promise((r) => setImmediate(r));

/** everySecond runs job once a second, boundaries times, while watching the event loop; returns the gaps. */
async function everySecond(boundaries: number, job: () => Promise<void>): Promise<number[]> {
  const gaps = watchGaps(1000);
  for (let i = 0; i < boundaries; i++) {
    await sleep(1000);
    await job();
  }
  await sleep(100);
  return gaps.stop();
}

async function runChild(tool: Tool, heapMb: number, boundaries: number): Promise<ChildResult> {
  const kept = keepHeap(heapMb);
  const workload = startWorkload();
  await sleep(200);
  let result: ChildResult;
  if (tool === 'tsprof') {
    const { ContinuousCpuProfiler } = await import('../src/agent/continuous/continuous-cpu-profiler.js');
    const { cpuProfileToPprof } = await import('../src/source/v8-cpu-profile.js');
    const { heapTableToPprof } = await import('../src/source/v8-heap-profile.js');
    const { createAgentFrameNamer } = await import('../src/agent/frame-namer.js');
    const { HeapSampler } = await import('../src/agent/heap-sampler.js');
    const namer = createAgentFrameNamer(process.cwd());
    const profiler = new ContinuousCpuProfiler(10_000);
    const t0 = performance.now();
    profiler.start();
    const firstStartMs = performance.now() - t0;
    await sleep(500);
    // As the pusher: rotate, then build and encode in turns of their own, then gzip on the thread pool.
    const parts = { rotate: [] as number[], convert: [] as number[], encode: [] as number[] };
    const cpuPauses = await everySecond(boundaries, async () => {
      const a = performance.now();
      const { profile, startedAtMs } = profiler.rotate();
      parts.rotate.push(performance.now() - a);
      await nextTurn();
      const b = performance.now();
      const pprof = cpuProfileToPprof(profile, { namer, intervalMicros: 10_000, timeNanos: startedAtMs * 1e6 });
      parts.convert.push(performance.now() - b);
      await nextTurn();
      const c = performance.now();
      const bytes = pprof.encode();
      parts.encode.push(performance.now() - c);
      await gzipAsync(bytes);
    });
    profiler.stop();
    const heap = new HeapSampler({ interval: 512 * 1024, stackDepth: 64, allocations: false });
    heap.start();
    await sleep(500);
    const heapPauses = await everySecond(boundaries, async () => {
      const table = heap.samples();
      await nextTurn();
      const bytes = heapTableToPprof(table, { kind: 'inuse', interval: 512 * 1024, namer }).encode();
      await gzipAsync(bytes);
    });
    heap.stop();
    result = { heapMb: process.memoryUsage().heapUsed / 1e6, firstStartMs, cpuPauses, heapPauses, parts };
  } else if (tool === 'none') {
    // The control: the same heap, workload and watch, no profiler: the gaps the machine makes by itself.
    const cpuPauses = await everySecond(boundaries, async () => undefined);
    const heapPauses = await everySecond(boundaries, async () => undefined);
    result = { heapMb: process.memoryUsage().heapUsed / 1e6, firstStartMs: 0, cpuPauses, heapPauses };
  } else {
    const { time, heap, encode } = requireAnchor<DatadogPprof>('@datadog/pprof');
    const t0 = performance.now();
    time.start({ intervalMicros: 10_000, durationMillis: 600_000 });
    const firstStartMs = performance.now() - t0;
    await sleep(500);
    // As @pyroscope/nodejs at each flush: stop with restart, then encode (gzip inside).
    const stops: number[] = [];
    const cpuPauses = await everySecond(boundaries, async () => {
      const a = performance.now();
      const profile = time.stop(true);
      stops.push(performance.now() - a);
      await encode(profile);
    });
    time.stop(false);
    heap.start(512 * 1024, 64);
    await sleep(500);
    const heapPauses = await everySecond(boundaries, async () => void (await encode(heap.profile())));
    heap.stop();
    result = { heapMb: process.memoryUsage().heapUsed / 1e6, firstStartMs, cpuPauses, heapPauses, stops };
  }
  clearInterval(workload);
  if (kept.length === 0) throw new Error('unreachable');
  return result;
}

const fmt = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');

if (flags.child) {
  const result = await runChild(flags.child as Tool, flags['heap-mb'] as number, flags.boundaries as number);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
} else {
  const reps = flags.reps as number;
  for (const heapMb of String(flags.heaps).split(',').map(Number)) {
    const all: Record<Tool, ChildResult[]> = { tsprof: [], datadog: [], none: [] };
    for (let r = 0; r < reps; r++) {
      for (const tool of roundOrder<Tool>(r, ['tsprof', 'datadog', 'none'])) {
        const args = [fileURLToPath(import.meta.url), '--child', tool, '--heap-mb', String(heapMb), '--boundaries', String(flags.boundaries)];
        const child = spawnSync(process.execPath, ['--max-old-space-size=8192', ...args], { encoding: 'utf8' });
        if (child.status !== 0) throw new Error(`${tool} child failed: ${child.stderr}`);
        all[tool].push(JSON.parse(child.stdout) as ChildResult);
      }
    }
    const heap = median([...all.tsprof, ...all.datadog, ...all.none].map((c) => c.heapMb));
    console.log(`heap ~${heap.toFixed(0)} MB, ${reps} reps × ${flags.boundaries} one-second boundaries; longest event-loop gap per boundary second:`);
    for (const tool of ['tsprof', 'datadog', 'none'] as const) {
      const cpu = all[tool].flatMap((c) => c.cpuPauses);
      const heapReads = all[tool].flatMap((c) => c.heapPauses);
      const first = all[tool].map((c) => c.firstStartMs);
      const label = tool === 'tsprof' ? 'tsprof (ContinuousCpuProfiler)' : tool === 'datadog' ? '@datadog/pprof (stop(restart)+encode)' : 'no profiler (the machine\'s own gaps)';
      console.log(`  ${label.padEnd(38)} CPU boundary: median ${median(cpu).toFixed(1)} ms, max ${Math.max(...cpu).toFixed(1)} ms  (${fmt(cpu)})`);
      console.log(`  ${''.padEnd(38)} heap profile read: median ${median(heapReads).toFixed(1)} ms, max ${Math.max(...heapReads).toFixed(1)} ms  (${fmt(heapReads)})`);
      if (tool !== 'none') console.log(`  ${''.padEnd(38)} first CPU profiler start (one-time heap walk): median ${median(first).toFixed(0)} ms`);
    }
    const parts = all.tsprof.map((c) => c.parts!);
    console.log(
      `  tsprof boundary parts, medians: rotate ${median(parts.flatMap((p) => p.rotate)).toFixed(2)} ms, ` +
        `to pprof ${median(parts.flatMap((p) => p.convert)).toFixed(2)} ms, encode ${median(parts.flatMap((p) => p.encode)).toFixed(2)} ms ` +
        `(max of any part ${Math.max(...parts.flatMap((p) => [...p.rotate, ...p.convert, ...p.encode])).toFixed(2)} ms)`,
    );
    const stops = all.datadog.flatMap((c) => c.stops ?? []);
    console.log(`  @datadog/pprof time.stop(true), synchronous: median ${median(stops).toFixed(2)} ms, max ${Math.max(...stops).toFixed(2)} ms`);
  }
}
