// How long serving /debug/pprof/heap blocks the event loop on a heap with ≥ 10,000
// distinct allocation stacks: tsprof's agent vs @datadog/pprof's heap.profile() + encode.
//
//   npx tsc -p . && node dist/bench/agent-heap-latency.js [--reps 7] [--stacks 12000]
//
// Each tool runs in its own child process (V8 has one sampling heap profiler per
// process), which builds the same heap and times the synchronous work of one
// profile request several times; the parent interleaves tools over repetitions
// and prints medians and the ratio. Compression runs on the thread pool in both
// (zlib's async gzip) and is not counted: it does not block the event loop.
import { spawnSync } from 'node:child_process';
import { requireAnchor, type DatadogPprof } from './anchors.js';
import { fileURLToPath } from 'node:url';
import { parseBenchFlags } from './support/bench-flags.js';
import { median, roundOrder } from './support/stats.js';
import { performance } from 'node:perf_hooks';

type Tool = 'tsprof' | 'datadog';
const interval = 4096; // both tools; each site's 16 KiB allocation is sampled with p = 1 − e^−4 ≈ 0.98
const stackDepth = 64;

interface ChildResult {
  tool: Tool;
  stacks: number;
  /** Synchronous milliseconds per request: total, and the longest single blocking stretch. */
  totalMs: number[];
  longestBlockMs: number[];
  /** Process CPU milliseconds per request (all threads: less disturbed by other load on the machine). */
  cpuMs: number[];
}

const flags = parseBenchFlags('agent-heap-latency', {
  reps: { kind: 'int', default: 7, help: 'repetitions; each runs both tools once, in alternating order' },
  stacks: { kind: 'int', default: 12_000, help: 'distinct allocation sites in the heap' },
  iterations: { kind: 'int', default: 5, help: '(internal) heap-profile requests per child' },
  child: { kind: 'string', default: '', help: '(internal) measure this tool in this process: tsprof or datadog' },
}).values;

/** buildHeap allocates from `count` distinct functions, each reached through a few shared frames, and keeps it all. */
function buildHeap(count: number): unknown[] {
  const kept: unknown[] = [];
  const allocators = Array.from(
    { length: count },
    (_, i) => new Function('kept', `return function allocate_site_${i}() { kept.push(new Array(2048)); }`)(kept) as () => void,
  );
  const viaHandler = (f: () => void) => f();
  const viaRouter = (f: () => void) => viaHandler(f);
  const viaServer = (f: () => void) => viaRouter(f);
  for (const allocate of allocators) viaServer(allocate);
  return kept;
}

async function runChild(tool: Tool, stacks: number, iterations: number): Promise<ChildResult> {
  const totalMs: number[] = [];
  const longestBlockMs: number[] = [];
  const cpuMs: number[] = [];
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let distinctStacks = 0;
  if (tool === 'tsprof') {
    const { HeapSampler } = await import('../src/agent/heap-sampler.js');
    const { createAgentFrameNamer } = await import('../src/agent/frame-namer.js');
    const { heapTableToPprof } = await import('../src/source/v8-heap-profile.js');
    const sampler = new HeapSampler({ interval, stackDepth, allocations: false });
    sampler.start();
    const kept = buildHeap(stacks);
    const namer = createAgentFrameNamer(process.cwd());
    for (let i = 0; i < iterations; i++) {
      // The agent runs these as separate jobs with the event loop free in between.
      const c0 = cpuNow();
      const t0 = performance.now();
      const table = sampler.samples();
      const t1 = performance.now();
      const profile = heapTableToPprof(table, { kind: 'inuse', interval, namer, defaultSampleType: 'inuse_space' });
      const t2 = performance.now();
      profile.encode();
      const t3 = performance.now();
      cpuMs.push(cpuNow() - c0);
      distinctStacks = table.stacks.size;
      totalMs.push(t3 - t0);
      longestBlockMs.push(Math.max(t1 - t0, t2 - t1, t3 - t2));
    }
    sampler.stop();
    if (kept.length !== stacks) throw new Error('heap not kept');
  } else {
    const { heap } = requireAnchor<DatadogPprof>('@datadog/pprof');
    heap.start(interval, stackDepth);
    const kept = buildHeap(stacks);
    for (let i = 0; i < iterations; i++) {
      const c0 = cpuNow();
      const t0 = performance.now();
      const profile = heap.profile();
      profile.encode();
      const t1 = performance.now();
      cpuMs.push(cpuNow() - c0);
      distinctStacks = profile.sample.length;
      totalMs.push(t1 - t0);
      longestBlockMs.push(t1 - t0); // one synchronous call
    }
    heap.stop();
    if (kept.length !== stacks) throw new Error('heap not kept');
  }
  return { tool, stacks: distinctStacks, totalMs, longestBlockMs, cpuMs };
}

async function main(): Promise<void> {
  const childTool = flags.child as Tool | '';
  const stacks = flags.stacks as number;
  if (childTool) {
    process.stdout.write(JSON.stringify(await runChild(childTool, stacks, flags.iterations as number)) + '\n');
    return;
  }
  const reps = flags.reps as number;
  const results: Record<Tool, ChildResult[]> = { tsprof: [], datadog: [] };
  for (let rep = 0; rep < reps; rep++) {
    for (const tool of roundOrder<Tool>(rep, ['tsprof', 'datadog'])) {
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', tool, '--stacks', String(stacks)], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      if (child.status !== 0) throw new Error(`${tool} child failed: ${child.stderr}`);
      const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as ChildResult;
      results[tool].push(result);
      process.stderr.write(`rep ${rep + 1}/${reps} ${tool}: ${result.stacks} stacks, median ${median(result.totalMs).toFixed(1)} ms\n`);
    }
  }
  const summary = (tool: Tool) => ({
    stacks: median(results[tool].map((r) => r.stacks)),
    total: median(results[tool].map((r) => median(r.totalMs))),
    longest: median(results[tool].map((r) => median(r.longestBlockMs))),
    cpu: median(results[tool].map((r) => median(r.cpuMs))),
  });
  const ts = summary('tsprof');
  const dd = summary('datadog');
  console.log(`heap profile on ${stacks} allocation sites (interval ${interval} B), ${reps} interleaved reps, medians:`);
  console.log(`  tsprof  /debug/pprof/heap: ${ts.total.toFixed(1)} ms synchronous in all, longest block ${ts.longest.toFixed(1)} ms, ${ts.cpu.toFixed(1)} ms CPU (${ts.stacks} stacks)`);
  console.log(`  datadog heap.profile()+encode: ${dd.total.toFixed(1)} ms in one block, ${dd.cpu.toFixed(1)} ms CPU (${dd.stacks} samples)`);
  console.log(
    `  ratio tsprof/datadog: total ${(ts.total / dd.total).toFixed(2)}×, longest block ${(ts.longest / dd.longest).toFixed(2)}×, CPU ${(ts.cpu / dd.cpu).toFixed(2)}×`,
  );
}

await main();
