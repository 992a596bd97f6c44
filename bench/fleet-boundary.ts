// The event-loop pause at each profile boundary in continuous mode, on heaps of 100 MB and 500 MB:
// tsprof's pusher (ContinuousCpuProfiler: the next V8 profile starts in a second inspector session
// before the finished one stops, so V8 never walks the heap again) vs @datadog/pprof's
// time.stop(restart = true) + encode, which @pyroscope/nodejs calls at each of its boundaries.
//
//   npx tsc -p . && node dist/bench/fleet-boundary.js [--reps 2] [--boundaries 5] [--heaps 100,500]
//
// Each measurement runs in a child process of its own that keeps a heap of the given size alive and
// a light timer-driven workload running, then crosses `boundaries` one-second profile boundaries
// while a 1 ms timer records the longest gap between its ticks in each second. It also reports
// the one-time first start (the heap walk both pay once), and for tsprof the boundary's parts:
// rotate() (start the next profile, stop and serialize the finished one), the conversion to pprof,
// and the encoding (each its own macrotask in the pusher).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireAnchor, type DatadogPprof } from './anchors.js';
import { parseBenchFlags } from './support/bench-flags.js';
import { median, roundOrder } from './support/stats.js';

type Tool = 'tsprof' | 'datadog';

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
  /** Longest event-loop gap in each one-second window that holds a boundary. */
  pauses: number[];
  parts?: { rotate: number[]; convert: number[]; encode: number[] };
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

async function runChild(tool: Tool, heapMb: number, boundaries: number): Promise<ChildResult> {
  const kept = keepHeap(heapMb);
  const workload = startWorkload();
  await sleep(200);
  let result: ChildResult;
  if (tool === 'tsprof') {
    const { ContinuousCpuProfiler } = await import('../src/agent/continuous/continuous-cpu-profiler.js');
    const { cpuProfileToPprof } = await import('../src/source/v8-cpu-profile.js');
    const { createAgentFrameNamer } = await import('../src/agent/frame-namer.js');
    const { startAgent } = await import('../src/agent/index.js');
    // The parts, measured directly on a profiler of their own.
    const namer = createAgentFrameNamer(process.cwd());
    const profiler = new ContinuousCpuProfiler(10_000);
    const t0 = performance.now();
    profiler.start();
    const firstStartMs = performance.now() - t0;
    const parts = { rotate: [] as number[], convert: [] as number[], encode: [] as number[] };
    for (let i = 0; i < boundaries; i++) {
      await sleep(1000);
      const a = performance.now();
      const { profile, startedAtMs } = profiler.rotate();
      const b = performance.now();
      const pprof = cpuProfileToPprof(profile, { namer, intervalMicros: 10_000, timeNanos: startedAtMs * 1e6 });
      const c = performance.now();
      pprof.encode();
      const d = performance.now();
      parts.rotate.push(b - a);
      parts.convert.push(c - b);
      parts.encode.push(d - c);
    }
    profiler.stop();
    // The whole pipeline: the agent pushing every second to a server that answers at once.
    const agent = await startAgent({
      address: '127.0.0.1:0',
      log: () => undefined,
      push: { url: 'http://127.0.0.1:9', serviceName: 'bench', intervalSeconds: 1, http: async () => ({ status: 200, statusText: 'OK', bodyStart: '' }) },
    });
    await sleep(1500); // past the agent's own first start
    const gaps = watchGaps(1000);
    await sleep(boundaries * 1000 + 100);
    const pauses = gaps.stop();
    await agent.stop({ flushMs: 100 });
    result = { heapMb: process.memoryUsage().heapUsed / 1e6, firstStartMs, pauses, parts };
  } else {
    const { time, encode } = requireAnchor<DatadogPprof>('@datadog/pprof');
    const t0 = performance.now();
    time.start({ intervalMicros: 10_000, durationMillis: 600_000 });
    const firstStartMs = performance.now() - t0;
    await sleep(1500);
    const gaps = watchGaps(1000);
    // As @pyroscope/nodejs at each flush: stop with restart, then encode.
    const boundary = setInterval(() => void encode(time.stop(true)), 1000);
    await sleep(boundaries * 1000 + 100);
    clearInterval(boundary);
    const pauses = gaps.stop();
    time.stop(false);
    result = { heapMb: process.memoryUsage().heapUsed / 1e6, firstStartMs, pauses };
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
    const all: Record<Tool, ChildResult[]> = { tsprof: [], datadog: [] };
    for (let r = 0; r < reps; r++) {
      for (const tool of roundOrder<Tool>(r, ['tsprof', 'datadog'])) {
        const args = [fileURLToPath(import.meta.url), '--child', tool, '--heap-mb', String(heapMb), '--boundaries', String(flags.boundaries)];
        const child = spawnSync(process.execPath, ['--max-old-space-size=8192', ...args], { encoding: 'utf8' });
        if (child.status !== 0) throw new Error(`${tool} child failed: ${child.stderr}`);
        all[tool].push(JSON.parse(child.stdout) as ChildResult);
      }
    }
    const heap = median([...all.tsprof, ...all.datadog].map((c) => c.heapMb));
    console.log(`heap ~${heap.toFixed(0)} MB, ${reps} reps × ${flags.boundaries} one-second boundaries:`);
    for (const tool of ['tsprof', 'datadog'] as const) {
      const pauses = all[tool].flatMap((c) => c.pauses);
      const first = all[tool].map((c) => c.firstStartMs);
      const label = tool === 'tsprof' ? 'tsprof pusher (ContinuousCpuProfiler)' : '@datadog/pprof stop(restart) + encode';
      console.log(`  ${label.padEnd(40)} longest gap per boundary second: median ${median(pauses).toFixed(1)} ms, max ${Math.max(...pauses).toFixed(1)} ms  (${fmt(pauses)})`);
      console.log(`  ${''.padEnd(40)} first start (one-time heap walk): median ${median(first).toFixed(0)} ms`);
    }
    const parts = all.tsprof.map((c) => c.parts!);
    console.log(
      `  tsprof boundary parts, medians: rotate ${median(parts.flatMap((p) => p.rotate)).toFixed(2)} ms, ` +
        `to pprof ${median(parts.flatMap((p) => p.convert)).toFixed(2)} ms, encode ${median(parts.flatMap((p) => p.encode)).toFixed(2)} ms`,
    );
  }
}
