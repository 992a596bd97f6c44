// How long taking a CPU profile blocks the event loop, on a heap of a given size: a request to
// the tsprof agent's /debug/pprof/profile?seconds=1 vs @datadog/pprof's time.start() … time.stop().
// Both create V8's CPU profiler for the profile, and V8 then logs every compiled function by
// walking the heap, so the longest block grows with the heap (see BENCHMARKS.md).
//
//   npx tsc -p . && node dist/bench/agent-cpu-start.js [--reps 5] [--millions 4]
//
// Each tool runs in child processes of its own, which keep `millions` million small objects
// alive, then take 3 one-second profiles while a 1 ms timer records the longest gap between its
// ticks; the parent alternates the tools over repetitions and prints medians and the ratio.
import { spawnSync } from 'node:child_process';
import { requireAnchor, type DatadogPprof } from './anchors.js';
import { fileURLToPath } from 'node:url';
import { parseBenchFlags } from './support/bench-flags.js';
import { median, roundOrder } from './support/stats.js';

type Tool = 'tsprof' | 'datadog';

const flags = parseBenchFlags('agent-cpu-start', {
  reps: { kind: 'int', default: 5, help: 'repetitions; each runs both tools once, in alternating order' },
  millions: { kind: 'float', default: 4, help: 'millions of small objects each child keeps (the heap the profiler start walks)' },
  child: { kind: 'string', default: '', help: '(internal) measure this tool in this process: tsprof or datadog' },
}).values;

/** longestBlockDuring runs work while a 1 ms timer watches the event loop, and returns the longest gap between ticks. */
async function longestBlockDuring(work: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 50));
  await work();
  clearInterval(timer);
  return Math.max(longest, performance.now() - last);
}

async function runChild(tool: Tool, millions: number): Promise<{ heapMb: number; blocks: number[] }> {
  const kept: unknown[] = [];
  while (kept.length < millions * 1e6) kept.push({ id: kept.length, tags: [kept.length] });
  let takeProfile: () => Promise<void>;
  if (tool === 'tsprof') {
    const { startAgent } = await import('../src/agent/index.js');
    const agent = await startAgent({ address: '127.0.0.1:0' });
    takeProfile = async () => void (await (await fetch(`${agent.url}/debug/pprof/profile?seconds=1`)).arrayBuffer());
  } else {
    const { time, encode } = requireAnchor<DatadogPprof>('@datadog/pprof');
    takeProfile = async () => {
      time.start({ intervalMicros: 10_000, durationMillis: 600_000 });
      await new Promise((r) => setTimeout(r, 1000));
      await encode(time.stop());
    };
  }
  const blocks: number[] = [];
  for (let i = 0; i < 3; i++) blocks.push(await longestBlockDuring(takeProfile));
  return { heapMb: process.memoryUsage().heapUsed / 1e6, blocks };
}

if (flags.child) {
  const result = await runChild(flags.child as Tool, flags.millions as number);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
} else {
  const reps = flags.reps as number;
  const millions = flags.millions as number;
  const blocks: Record<Tool, number[]> = { tsprof: [], datadog: [] };
  const heaps: number[] = [];
  for (let r = 0; r < reps; r++) {
    for (const tool of roundOrder<Tool>(r, ['tsprof', 'datadog'])) {
      const args = [fileURLToPath(import.meta.url), '--child', tool, '--millions', String(millions)];
      const child = spawnSync(process.execPath, ['--max-old-space-size=8192', ...args], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`${tool} child failed: ${child.stderr}`);
      const out = JSON.parse(child.stdout) as { heapMb: number; blocks: number[] };
      blocks[tool].push(...out.blocks);
      heaps.push(out.heapMb);
    }
  }
  console.log(`longest event-loop block while taking a 1 s CPU profile, heap ~${median(heaps).toFixed(0)} MB (${millions}M objects kept), ${reps} reps × 3 profiles:`);
  console.log(`  tsprof agent, GET /debug/pprof/profile?seconds=1   median ${median(blocks.tsprof).toFixed(0)} ms  (${blocks.tsprof.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  @datadog/pprof time.start() … stop() + encode      median ${median(blocks.datadog).toFixed(0)} ms  (${blocks.datadog.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  ratio tsprof / datadog: ${(median(blocks.tsprof) / median(blocks.datadog)).toFixed(2)}`);
}
